import JSONRPC
import NIOCore
import NIOEmbedded
import Testing

@Suite("Content-Length framing")
struct ContentLengthFrameDecoderTests {
    let body = #"{"jsonrpc":"2.0","id":1,"method":"m"}"#

    @Test("one frame, whole or byte by byte")
    func oneFrame() throws {
        for chunks in [[Int.max], [1], [2], [3], [7]] {
            let frames = try decodeFrames(frame(body), chunkSizes: chunks)
            #expect(frames.map(\.text) == [body], "chunks \(chunks)")
        }
    }

    @Test("several frames in one read, and split at every position")
    func severalFrames() throws {
        let bodies = [body, "{}", "", "[1,2,3]", String(repeating: "x", count: 1000)]
        let stream = bodies.flatMap { frame($0) }
        #expect(try decodeFrames(stream).map(\.text) == bodies)
        for split in 1..<stream.count {
            let frames = try decodeFrames(stream, chunkSizes: [split, stream.count])
            #expect(frames.map(\.text) == bodies, "split at \(split)")
        }
    }

    @Test("header names are case-insensitive; Content-Type and unknown headers are ignored; LF line ends accepted")
    func headerVariants() throws {
        let variants = [
            "content-length: 2\r\n\r\n{}",
            "CONTENT-LENGTH:2\r\n\r\n{}",
            "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: 2\r\n\r\n{}",
            "Content-Length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}",
            "Content-Length: \t 2 \t\r\nX-Custom: a:b:c\r\n\r\n{}",
            "Content-Length: 2\n\n{}",
            "Content-Length: 002\r\n\r\n{}",
            "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
            "\r\n\r\nContent-Length: 2\r\n\r\n{}",
        ]
        for variant in variants {
            #expect(try decodeFrames(Array(variant.utf8)).map(\.text) == ["{}"], "\(variant.debugDescription)")
            #expect(try decodeFrames(Array(variant.utf8), chunkSizes: [1]).map(\.text) == ["{}"])
        }
    }

    @Test("a zero-length body is a frame")
    func emptyBody() throws {
        #expect(try decodeFrames(Array("Content-Length: 0\r\n\r\n".utf8)).map(\.text) == [""])
    }

    @Test("a line without a colon is an error at once, before its line end arrives")
    func noColonImmediately() throws {
        for line in ["Content-Length 12", "garbage here", "{\"jsonrpc\"", "\u{1}"] {
            let frames = try decodeFrames(Array(line.utf8), endOfInput: false)
            #expect(frames.count == 1, "\(line)")
            guard case .malformedHeaderLine? = frames.first?.framingError else {
                Issue.record("expected malformedHeaderLine for \(line), got \(frames)")
                continue
            }
        }
        let bare = try decodeFrames(Array("JustAName\r\n".utf8), endOfInput: false)
        #expect(bare.map(\.framingError) == [.malformedHeaderLine(line: "JustAName\\x0d")])
        #expect(try decodeFrames(Array(": value\r\n".utf8), endOfInput: false).map(\.framingError)
            == [.malformedHeaderLine(line: ":")])
        #expect(try decodeFrames(Array("X: a\u{7}b\r\n".utf8), endOfInput: false).count == 1)
    }

    @Test("a header block without Content-Length is an error at its blank line")
    func missingContentLength() throws {
        let frames = try decodeFrames(Array("Content-Type: text/plain\r\n\r\n".utf8), endOfInput: false)
        #expect(frames.map(\.framingError) == [.missingContentLength])
    }

    @Test("invalid Content-Length values are errors at once", arguments: [
        "-5", "abc", "", "+5", "5 5", "0x10", "1e3", "1.0", "٣",
    ])
    func invalidContentLength(_ value: String) throws {
        let frames = try decodeFrames(Array("Content-Length: \(value)\r\n".utf8), endOfInput: false)
        #expect(frames.count == 1)
        guard case .invalidContentLength? = frames.first?.framingError else {
            Issue.record("expected invalidContentLength for \(value.debugDescription), got \(frames)")
            return
        }
    }

    @Test("conflicting Content-Length headers")
    func conflicting() throws {
        let frames = try decodeFrames(Array("Content-Length: 2\r\nContent-Length: 3\r\n".utf8), endOfInput: false)
        #expect(frames.map(\.framingError) == [.conflictingContentLength])
    }

    @Test("an oversized body is reported before it arrives, skipped unbuffered, and the next frame is read")
    func oversized() throws {
        let limits = FramingLimits(maximumBodySize: 100)
        // Only the header line: reported already, no blank line nor body needed.
        let early = try decodeFrames(Array("Content-Length: 101\r\n".utf8), limits: limits, endOfInput: false)
        #expect(early.map(\.framingError) == [.bodyTooLarge(declared: 101, limit: 100)])

        let oversizedBody = [UInt8](repeating: UInt8(ascii: "z"), count: 101)
        let stream = frame(oversizedBody) + frame(body) + frame("{}")
        for chunks in [[Int.max], [1], [13]] {
            let frames = try decodeFrames(stream, chunkSizes: chunks, limits: limits)
            #expect(frames == [.error(.bodyTooLarge(declared: 101, limit: 100)),
                               .body(ByteBuffer(string: body)), .body(ByteBuffer(string: "{}"))], "chunks \(chunks)")
        }
        // Exactly at the limit is fine.
        #expect(try decodeFrames(frame([UInt8](repeating: 0x20, count: 100)), limits: limits).count == 1)
    }

    @Test("a 64 MiB+ Content-Length is refused without buffering, by default")
    func hugeDefault() throws {
        let huge = try decodeFrames(Array("Content-Length: 67108865\r\n\r\n".utf8), endOfInput: false)
        #expect(huge.map(\.framingError) == [.bodyTooLarge(declared: 67_108_865, limit: 64 << 20)])
        let overflow = try decodeFrames(Array("Content-Length: 99999999999999999999999999\r\n".utf8), endOfInput: false)
        #expect(overflow.map(\.framingError) == [.bodyTooLarge(declared: nil, limit: 64 << 20)])
    }

    @Test("the skipped body never sits in a buffer")
    func skipDoesNotBuffer() throws {
        let limits = FramingLimits(maximumBodySize: 10)
        var decoder = ContentLengthFrameDecoder(limits: limits)
        var buffer = ByteBuffer(string: "Content-Length: 1000000\r\n\r\n")
        #expect(decoder.decode(buffer: &buffer) == .error(.bodyTooLarge(declared: 1_000_000, limit: 10)))
        #expect(decoder.decode(buffer: &buffer) == nil)
        for _ in 0..<100 {
            var chunk = ByteBuffer(repeating: 0x41, count: 10_000)
            #expect(decoder.decode(buffer: &chunk) == nil)
            #expect(chunk.readableBytes == 0)
        }
        var next = ByteBuffer(bytes: frame("{}"))
        #expect(decoder.decode(buffer: &next) == .body(ByteBuffer(string: "{}")))
    }

    @Test("an endless header block is an error once it passes the limit")
    func headerTooLarge() throws {
        let limits = FramingLimits(maximumHeaderSize: 64)
        let long = Array(("X-Pad: " + String(repeating: "a", count: 100)).utf8)
        #expect(try decodeFrames(long, limits: limits, endOfInput: false).map(\.framingError) == [.headerTooLarge(limit: 64)])
        let many = Array(String(repeating: "X-A: b\r\n", count: 20).utf8)
        #expect(try decodeFrames(many, limits: limits, endOfInput: false).map(\.framingError) == [.headerTooLarge(limit: 64)])
    }

    @Test("after a broken frame the decoder finds the next one", arguments: [
        "Content-Length 5\r\n\r\nhello",
        "Content-Type: x\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"}",
        "Content-Length: -1\r\n\r\n{}",
        "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}}",
        "\u{0}\u{1}\u{2}binary\u{FF}garbage",
        "{\"jsonrpc\":\"2.0\"}",
        "Content-Length: 99999999999999999999999\r\n\r\n[]",
    ])
    func resynchronizes(_ broken: String) throws {
        let stream = Array(broken.utf8) + frame(body) + frame("{}")
        for chunks in [[Int.max], [1], [5]] {
            let frames = try decodeFrames(stream, chunkSizes: chunks)
            #expect(frames.count == 3, "chunks \(chunks): \(frames)")
            #expect(frames.first?.framingError?.resynchronizes == true)
            #expect(frames.dropFirst().map(\.text) == [body, "{}"])
        }
    }

    @Test("a frame cut short by the end of input is reported once")
    func truncated() throws {
        #expect(try decodeFrames(Array("Content-Length: 10\r\n\r\n{}".utf8)).map(\.framingError)
            == [.truncatedFrame(missing: 8)])
        #expect(try decodeFrames(Array("Content-Length: 10\r\n".utf8)).map(\.framingError)
            == [.truncatedFrame(missing: nil)])
        #expect(try decodeFrames(Array("Content-Le".utf8)).map(\.framingError) == [.truncatedFrame(missing: nil)])
        #expect(try decodeFrames(frame("{}")).map(\.text) == ["{}"])
    }

    @Test("works inside NIO's ByteToMessageHandler and keeps decoding after errors")
    func insideChannel() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(ContentLengthFrameDecoder()))
        try channel.writeInbound(ByteBuffer(string: "Bad Header\r\n"))
        try channel.writeInbound(ByteBuffer(bytes: frame("{}") + frame("[]")))
        var frames: [InboundFrame] = []
        while let frame = try channel.readInbound(as: InboundFrame.self) { frames.append(frame) }
        #expect(frames.count == 3)
        #expect(frames.dropFirst().map(\.text) == ["{}", "[]"])
        _ = try channel.finish()
    }
}
