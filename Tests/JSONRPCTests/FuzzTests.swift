import JSONRPC
import NIOConcurrencyHelpers
import NIOCore
import Testing
import TestSupport

/// Random and mutated frames through the decoder and a ``Connection``.
///
/// Every stream is a sequence of segments generated from a seeded RNG. All but the last segment keep the stream
/// in step by construction: valid frames (with header variants), valid frames whose body is broken or nested too
/// deep, oversized bodies (skipped exactly), header blocks without `Content-Length`, bad `Content-Length` values,
/// lines without a colon, overlong headers and binary garbage ending in a line feed (the decoder resynchronizes on
/// the next `Content-Length:`, which none of these contain). The last segment may be anything: a frame with bytes
/// flipped anywhere, a huge `Content-Length` with no body, a truncated frame.
///
/// Checked: nothing crashes; decoding does not depend on how the bytes are split into reads; no body exceeds the
/// limit; every valid request generated (ids `v…`) gets exactly one answer, with the expected result or error
/// code; every valid `note` notification is delivered once; every answer is a well-formed response.
@Suite("Fuzz", .timeLimit(.minutes(2)))
struct FuzzTests {
    static let seed: UInt64 = 0x5EED_0F_15_0C_2025
    static let streams = 2_000
    static let segmentsPerStream = 50
    static let limits = FramingLimits(maximumBodySize: 4_096, maximumHeaderSize: 1_024)

    enum Expected: Equatable {
        case result(JSONValue)
        case error(Int)
    }

    @Test("100,000 random and mutated frames: no crash, exactly one answer per valid request")
    func fuzz() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        var generator = FrameGenerator(seed: Self.seed)
        let delivered = NIOLockedValueBox(0)
        let connection = Connection(configuration: .init(parser: JSONParser(maximumDepth: 64), logger: .disabled))
        connection.onRequest("echo") { context in context.params ?? .null }
        connection.onRequest("fail") { _ in throw ResponseError.invalidParams("refused") }
        connection.onNotification("note") { _ in delivered.withLockedValue { $0 += 1 } }
        let peer = MemoryPeer(connection: connection)

        var frames = 0
        var framingErrors = 0
        for stream in 0..<Self.streams {
            let bytes = generator.stream(segments: Self.segmentsPerStream)
            frames += Self.segmentsPerStream
            let chunks = generator.chunkSizes()
            let decoded = try decodeFrames(bytes, chunkSizes: chunks, limits: Self.limits)
            if stream % 10 == 0 {
                let whole = try decodeFrames(bytes, limits: Self.limits)
                #expect(decoded == whole, "stream \(stream) decodes differently in chunks \(chunks.prefix(8))… (seed \(Self.seed))")
            }
            for frame in decoded {
                switch frame {
                case .body(let body):
                    #expect(body.readableBytes <= Self.limits.maximumBodySize)
                case .error:
                    framingErrors += 1
                }
                peer.send(frame: frame)
            }
        }
        let outputs = await peer.drain()

        var answers: [RequestID: Int] = [:]
        var responses = 0
        for output in outputs {
            let members = output.arrayValue ?? [output]
            #expect(!members.isEmpty)
            for response in members {
                responses += 1
                #expect(response["jsonrpc"] == "2.0")
                let hasResult = response["result"] != nil
                let hasError = response["error"]?["code"]?.intValue != nil
                #expect(hasResult != hasError, "malformed response \(response)")
                guard let id = response["id"].flatMap(RequestID.init(json:)), let expected = generator.expected[id] else {
                    continue
                }
                answers[id, default: 0] += 1
                switch expected {
                case .result(let value): #expect(response["result"] == value, "id \(id)")
                case .error(let code): #expect(response["error"]?["code"]?.intValue == code, "id \(id)")
                }
            }
        }
        let missing = generator.expected.keys.filter { answers[$0] == nil }
        let repeated = answers.filter { $0.value != 1 }
        #expect(missing.isEmpty, "\(missing.count) valid requests unanswered, e.g. \(missing.prefix(5)) (seed \(Self.seed))")
        #expect(repeated.isEmpty, "answered more than once: \(repeated.prefix(5)) (seed \(Self.seed))")
        #expect(delivered.withLockedValue { $0 } == generator.expectedNotes)
        #expect(frames >= 100_000)
        #expect(framingErrors > 1_000)
        let elapsed = clock.now - start
        print("fuzz: \(frames) frames (\(generator.expected.count) valid requests, \(framingErrors) framing errors, "
            + "\(responses) responses) in \(elapsed), seed \(Self.seed)")
    }
}

/// Makes the streams of ``FuzzTests`` and records what the valid requests in them must be answered with.
struct FrameGenerator {
    var random: SeededRandom
    var expected: [RequestID: FuzzTests.Expected] = [:]
    var expectedNotes = 0
    private var nextID = 0

    init(seed: UInt64) {
        random = SeededRandom(seed: seed)
    }

    static let needle = Array("content-length:".utf8)

    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

    mutating func pick<T>(_ options: [T]) -> T { options.randomElement(using: &random)! }

    /// Read sizes for one stream: mostly medium, sometimes byte by byte, sometimes whole.
    mutating func chunkSizes() -> [Int] {
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<2: [1, 2, 1, 3]
        case 2..<20: [Int.max]
        default: (0..<16).map { _ in Int.random(in: 1...700, using: &random) }
        }
    }

    mutating func stream(segments: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<(segments - 1) { bytes += steadySegment() }
        bytes += lastSegment()
        return bytes
    }

    // MARK: Segments that keep the stream in step

    mutating func steadySegment() -> [UInt8] {
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<30: framed(validRequest())
        case 30..<40: framed(validNotification())
        case 40..<47: framed(validBatch())
        case 47..<55: framed(mutate(template()))
        case 55..<60: framed(deepNesting())
        case 60..<65: framed(oversizedBody())
        case 65..<72: missingContentLength()
        case 72..<79: badContentLength()
        case 79..<85: lineWithoutColon()
        case 85..<88: Array(("X-Pad: " + String(repeating: "p", count: 1_100) + "\r\n").utf8)
        case 88..<96: garbage(count: Int.random(in: 1...200, using: &random)) + [0x0A]
        default: framed(Array(pick(["", "{}", "[]", "null", "1", "\"x\"", "[1,2]", "{\"jsonrpc\":\"2.0\"}"]).utf8))
        }
    }

    /// A frame with one of the header layouts clients use.
    mutating func framed(_ body: [UInt8]) -> [UInt8] {
        let length = String(body.count)
        let header: String = switch Int.random(in: 0..<8, using: &random) {
        case 0: "content-length: \(length)\r\n\r\n"
        case 1: "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: \(length)\r\n\r\n"
        case 2: "Content-Length: \(length)\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n"
        case 3: "Content-Length: \(length)\n\n"
        case 4: "\r\nCONTENT-LENGTH:  \(length) \r\nX-Extra: 1\r\n\r\n"
        default: "Content-Length: \(length)\r\n\r\n"
        }
        return Array(header.utf8) + body
    }

    mutating func newID() -> RequestID {
        nextID += 1
        return chance(50) ? .string("v\(nextID)") : .int(1_000_000_000_000 + nextID)
    }

    /// A valid request, recorded in ``expected``.
    mutating func validRequestValue() -> JSONValue {
        let id = newID()
        let params: JSONValue? = switch Int.random(in: 0..<3, using: &random) {
        case 0: nil
        case 1: .array((0..<Int.random(in: 0...4, using: &random)).map { _ in value(depth: 3) })
        default: object(depth: 3)
        }
        let method: String
        switch Int.random(in: 0..<10, using: &random) {
        case 0..<6:
            method = "echo"
            expected[id] = .result(params ?? .null)
        case 6..<8:
            method = "fail"
            expected[id] = .error(-32602)
        default:
            method = pick(["unknown/method", "$/unknownRequest", "textDocument/nothing"])
            expected[id] = .error(-32601)
        }
        var message: [String: JSONValue] = ["jsonrpc": "2.0", "id": id.json, "method": .string(method)]
        if let params { message["params"] = params }
        return .object(message)
    }

    mutating func validRequest() -> [UInt8] { JSONWriter.bytes(of: validRequestValue()) }

    mutating func validNotificationValue() -> JSONValue {
        if chance(60) {
            expectedNotes += 1
            return ["jsonrpc": "2.0", "method": "note", "params": object(depth: 2)]
        }
        return ["jsonrpc": "2.0", "method": .string(pick(["$/progress", "$/setTrace", "window/unknown"]))]
    }

    mutating func validNotification() -> [UInt8] { JSONWriter.bytes(of: validNotificationValue()) }

    mutating func validBatch() -> [UInt8] {
        var members: [JSONValue] = []
        for _ in 0..<Int.random(in: 1...5, using: &random) {
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<6: members.append(validRequestValue())
            case 6..<9: members.append(validNotificationValue())
            default: members.append(pick([1, "x", nil, [:], ["jsonrpc": "2.0"]]))
            }
        }
        return JSONWriter.bytes(of: .array(members))
    }

    /// A request whose id and method no valid request uses; mutated copies of it may parse or not.
    mutating func template() -> [UInt8] {
        nextID += 1
        let message: JSONValue = [
            "jsonrpc": "2.0", "id": .string("mutant-\(nextID)"), "method": "mutant-method", "params": object(depth: 2),
        ]
        return JSONWriter.bytes(of: message)
    }

    /// Flips, inserts, deletes or truncates a few bytes.
    mutating func mutate(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<Int.random(in: 1...3, using: &random) where !bytes.isEmpty {
            let index = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes.insert(pick(Array("{}[]\",:\\0e-".utf8)), at: index)
            case 2: bytes.remove(at: index)
            default: bytes.removeSubrange(index...)
            }
        }
        return bytes
    }

    mutating func deepNesting() -> [UInt8] {
        let depth = Int.random(in: 65...1_000, using: &random)
        let opener = pick(["[", "{\"a\":", "[{\"k\":"])
        var text = String(repeating: opener, count: depth)
        if chance(50) { text += "1" + String(repeating: opener == "[" ? "]" : opener == "{\"a\":" ? "}" : "}]", count: depth) }
        return Array(text.utf8.prefix(FuzzTests.limits.maximumBodySize))
    }

    mutating func missingContentLength() -> [UInt8] {
        let header = pick(["Content-Type: application/json\r\n\r\n", "X-Length: 10\r\n\r\n", "Content-Lenght: 12\r\n\r\n"])
        return Array(header.utf8) + template()
    }

    mutating func badContentLength() -> [UInt8] {
        let value = pick(["-5", "abc", "", "+12", "1 2", "0x10", "1e3", "12.0", "١٢", "99999999999999999999999"])
        return Array("Content-Length: \(value)\r\n\r\n".utf8) + template()
    }

    mutating func lineWithoutColon() -> [UInt8] {
        let line = pick(["Content-Length 12", "Hello", "Content Length: 5", "GET / HTTP/1.1", "{\"jsonrpc\":\"2.0\"}"])
        return Array((line + "\r\n\r\n").utf8) + template()
    }

    /// A body over the limit: random bytes, then one repeated byte (the decoder skips it without looking).
    mutating func oversizedBody() -> [UInt8] {
        let count = Int.random(in: FuzzTests.limits.maximumBodySize + 1...9_000, using: &random)
        let head = garbage(count: 64)
        return head + [UInt8](repeating: UInt8.random(in: 0...255, using: &random), count: count - head.count)
    }

    /// Random bytes that never contain `content-length:` in any case.
    mutating func garbage(count: Int) -> [UInt8] {
        while true {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
            if !Self.containsNeedle(bytes) { return bytes }
        }
    }

    static func containsNeedle(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= needle.count else { return false }
        for start in 0...(bytes.count - needle.count) {
            var matched = 0
            while matched < needle.count {
                let byte = bytes[start + matched]
                let lowered = byte >= 65 && byte <= 90 ? byte + 32 : byte
                guard lowered == needle[matched] else { break }
                matched += 1
            }
            if matched == needle.count { return true }
        }
        return false
    }

    // MARK: The last segment may break framing

    mutating func lastSegment() -> [UInt8] {
        switch Int.random(in: 0..<10, using: &random) {
        case 0..<4: return framed(validRequest())
        case 4..<6: return mutate(framed(template()))
        case 6..<8:
            let length = pick(["1000000000", "4611686018427387904", "18446744073709551616", "123456789012345678901234567890"])
            return Array("Content-Length: \(length)\r\n\r\n".utf8) + garbage(count: Int.random(in: 0...64, using: &random))
        default:
            let full = framed(template())
            return Array(full.prefix(Int.random(in: 1..<full.count, using: &random)))
        }
    }

    // MARK: Values

    mutating func value(depth: Int) -> JSONValue {
        switch Int.random(in: 0..<(depth > 0 ? 9 : 6), using: &random) {
        case 0: return nil
        case 1: return .bool(chance(50))
        case 2: return .int(Int.random(in: -1_000_000...1_000_000, using: &random))
        case 3: return .double(Double(Int.random(in: -100_000...100_000, using: &random)) / 64)
        case 4, 5: return .string(text())
        case 6, 7: return .array((0..<Int.random(in: 0...3, using: &random)).map { _ in value(depth: depth - 1) })
        default: return object(depth: depth - 1)
        }
    }

    mutating func object(depth: Int) -> JSONValue {
        var members: [String: JSONValue] = [:]
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            members[text()] = value(depth: max(0, depth - 1))
        }
        return .object(members)
    }

    mutating func text() -> String {
        let pieces = ["a", "b", "uri", " ", "\"", "\\", "\n", "\t", "é", "🎯", "/", "\u{1}", "中", "0", ":"]
        return (0..<Int.random(in: 0...6, using: &random)).map { _ in pick(pieces) }.joined()
    }
}
