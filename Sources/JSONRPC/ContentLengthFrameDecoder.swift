import NIOCore

/// Splits a byte stream into LSP base-protocol frames: header lines (`Name: value`, CRLF-terminated), a blank
/// line, then exactly `Content-Length` bytes of body.
///
/// swift-nio-extras ships a decoder for the same framing (`NIOJSONRPCFraming.ContentLengthHeaderFrameDecoder`),
/// and this package uses its *encoder*. Its decoder does not meet this daemon's rules, so this one is written
/// from scratch: that decoder has no size limit (it waits for and buffers any body up to 4 GiB), waits for a colon
/// that may never come instead of rejecting a line without one, and throws on errors, after which NIO's
/// `ByteToMessageHandler` never decodes again, so one bad frame kills the connection.
///
/// Rules:
/// - Header names are HTTP tokens, compared case-insensitively; values may not hold control characters. Lines end
///   in CRLF; a bare LF is accepted too. Headers other than `Content-Length` (such as `Content-Type`) are ignored.
///   Blank lines before a header block (stray CRLFs between frames) are skipped.
/// - Every error is decided as soon as the deciding byte arrives, never by waiting: a byte that cannot belong to a
///   header name before the colon, a header block ending without `Content-Length`, a `Content-Length` that is not
///   a plain decimal number (no sign, no spaces inside), or two different `Content-Length` values.
/// - A `Content-Length` above ``FramingLimits/maximumBodySize`` is reported as soon as its line is read; the body
///   is then skipped as it arrives, never buffered, and the next frame is read normally. A header block larger
///   than ``FramingLimits/maximumHeaderSize`` is an error too. So the decoder never holds more than one header
///   block or one permitted body.
///
/// Errors are emitted as ``InboundFrame/error(_:)`` values and decoding goes on. When the end of the bad frame is
/// unknown (``FramingError/resynchronizes``), the decoder drops bytes until the next `Content-Length:` (any case)
/// and starts a header block there. A valid JSON body can never contain that text outside a string, and strings
/// cannot hold raw line breaks, so a well-formed frame following a broken one is found again; bytes of the broken
/// frame are discarded. A truncated frame at end of stream is reported once.
public struct ContentLengthFrameDecoder: NIOSingleStepByteToMessageDecoder, Sendable {
    public typealias InboundOut = InboundFrame

    public let limits: FramingLimits

    private struct HeaderBlock {
        /// Bytes of header lines consumed so far (leading blank lines excluded).
        var size = 0
        var sawHeader = false
        var contentLength: Int?
        /// Set once an oversized `Content-Length` has been reported; the body will be skipped.
        var oversized = false
    }

    private enum State {
        case header(HeaderBlock)
        case body(length: Int)
        case skipping(remaining: Int)
        case resynchronizing
    }

    private var state: State = .header(HeaderBlock())

    public init(limits: FramingLimits = .default) {
        self.limits = limits
    }

    public mutating func decode(buffer: inout ByteBuffer) -> InboundFrame? {
        while true {
            switch state {
            case .header(var block):
                let budget = limits.maximumHeaderSize - block.size
                let scan = buffer.withUnsafeReadableBytes { HeaderLine.scan($0, budget: budget) }
                switch scan {
                case .incomplete:
                    return nil
                case .tooLong:
                    buffer.moveReaderIndex(forwardBy: min(buffer.readableBytes, max(budget, 1)))
                    state = .resynchronizing
                    return .error(.headerTooLarge(limit: limits.maximumHeaderSize))
                case .malformed(let consume):
                    let excerpt = buffer.withUnsafeReadableBytes { HeaderLine.excerpt($0, count: consume) }
                    buffer.moveReaderIndex(forwardBy: consume)
                    state = .resynchronizing
                    return .error(.malformedHeaderLine(line: excerpt))
                case .blank(let length):
                    buffer.moveReaderIndex(forwardBy: length)
                    guard block.sawHeader else { continue }
                    guard let length = block.contentLength else {
                        state = .resynchronizing
                        return .error(.missingContentLength)
                    }
                    if block.oversized {
                        state = .skipping(remaining: length)
                    } else if length == 0 {
                        state = .header(HeaderBlock())
                        return .body(ByteBuffer())
                    } else {
                        state = .body(length: length)
                    }
                case .header(let line):
                    let isContentLength = buffer.withUnsafeReadableBytes { line.nameEquals("content-length", in: $0) }
                    let value = buffer.withUnsafeReadableBytes { line.value(in: $0) }
                    buffer.moveReaderIndex(forwardBy: line.length)
                    block.size += line.length
                    block.sawHeader = true
                    if isContentLength {
                        switch HeaderLine.parseLength(value) {
                        case .invalid:
                            state = .resynchronizing
                            return .error(.invalidContentLength(value: HeaderLine.printable(value, limit: 32)))
                        case .overflow:
                            state = .resynchronizing
                            return .error(.bodyTooLarge(declared: nil, limit: limits.maximumBodySize))
                        case .value(let length):
                            if let previous = block.contentLength, previous != length {
                                state = .resynchronizing
                                return .error(.conflictingContentLength)
                            }
                            block.contentLength = length
                            if length > limits.maximumBodySize, !block.oversized {
                                block.oversized = true
                                state = .header(block)
                                return .error(.bodyTooLarge(declared: length, limit: limits.maximumBodySize))
                            }
                        }
                    }
                    state = .header(block)
                }

            case .body(let length):
                guard let body = buffer.readSlice(length: length) else { return nil }
                state = .header(HeaderBlock())
                return .body(body)

            case .skipping(let remaining):
                let count = min(remaining, buffer.readableBytes)
                buffer.moveReaderIndex(forwardBy: count)
                guard count == remaining else {
                    state = .skipping(remaining: remaining - count)
                    return nil
                }
                state = .header(HeaderBlock())

            case .resynchronizing:
                let found = buffer.withUnsafeReadableBytes { HeaderLine.findContentLengthName($0) }
                if let offset = found {
                    buffer.moveReaderIndex(forwardBy: offset)
                    state = .header(HeaderBlock())
                } else {
                    // Keep only a tail that could be the start of the name.
                    let keep = min(buffer.readableBytes, HeaderLine.contentLengthName.count - 1)
                    buffer.moveReaderIndex(forwardBy: buffer.readableBytes - keep)
                    return nil
                }
            }
        }
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) -> InboundFrame? {
        if let frame = decode(buffer: &buffer) { return frame }
        // Nothing more will arrive: report a frame cut short, once, and drop what is left.
        let leftover = buffer.readableBytes
        buffer.moveReaderIndex(forwardBy: leftover)
        switch state {
        case .body(let length):
            state = .header(HeaderBlock())
            return .error(.truncatedFrame(missing: length - leftover))
        case .header(let block) where block.sawHeader || leftover > 0:
            state = .header(HeaderBlock())
            return .error(.truncatedFrame(missing: nil))
        case .header, .skipping, .resynchronizing:
            // Nothing started, or the error was already reported.
            state = .header(HeaderBlock())
            return nil
        }
    }
}

/// Byte-level helpers for one header line.
enum HeaderLine {
    /// What the bytes at the start of the buffer amount to.
    enum Scan {
        /// Not decidable yet.
        case incomplete
        /// No line end within the header budget.
        case tooLong
        /// A malformed line: report it, drop `consume` bytes (at least one) and resynchronize.
        case malformed(consume: Int)
        /// An empty line of `length` bytes (CRLF or LF).
        case blank(length: Int)
        case header(Line)
    }

    /// A complete `Name: value` line: offsets from the start of the buffer.
    struct Line {
        var nameEnd: Int
        var valueStart: Int
        var valueEnd: Int
        /// Bytes through the line feed.
        var length: Int

        func nameEquals(_ lowercased: StaticString, in bytes: UnsafeRawBufferPointer) -> Bool {
            guard nameEnd == lowercased.utf8CodeUnitCount else { return false }
            for index in 0..<nameEnd where asciiLowercase(bytes[index]) != lowercased.utf8Start[index] {
                return false
            }
            return true
        }

        /// The value without surrounding spaces and tabs.
        func value(in bytes: UnsafeRawBufferPointer) -> [UInt8] {
            var start = valueStart
            var end = valueEnd
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            return Array(bytes[start..<end])
        }
    }

    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let contentLengthName = Array("content-length:".utf8)

    static func scan(_ bytes: UnsafeRawBufferPointer, budget: Int) -> Scan {
        let limit = min(bytes.count, budget)
        let undecided: Scan = bytes.count >= budget ? .tooLong : .incomplete
        var index = 0
        while index < limit, isTokenByte(bytes[index]) { index += 1 }
        guard index < limit else { return undecided }
        let byte = bytes[index]

        if byte == UInt8(ascii: ":") {
            guard index > 0 else { return .malformed(consume: 1) }
            let nameEnd = index
            var cursor = index + 1
            while cursor < limit, bytes[cursor] != lineFeed {
                let valueByte = bytes[cursor]
                if valueByte == carriageReturn {
                    // A CR is allowed only right before the LF.
                    if cursor + 1 < limit, bytes[cursor + 1] != lineFeed { return .malformed(consume: cursor + 1) }
                } else if (valueByte < 0x20 && valueByte != 0x09) || valueByte == 0x7F {
                    return .malformed(consume: cursor + 1)
                }
                cursor += 1
            }
            guard cursor < limit else { return undecided }
            let valueEnd = bytes[cursor - 1] == carriageReturn ? cursor - 1 : cursor
            return .header(Line(nameEnd: nameEnd, valueStart: nameEnd + 1, valueEnd: max(valueEnd, nameEnd + 1),
                                length: cursor + 1))
        }
        if index == 0, byte == lineFeed { return .blank(length: 1) }
        if index == 0, byte == carriageReturn {
            guard limit >= 2 else { return undecided }
            return bytes[1] == lineFeed ? .blank(length: 2) : .malformed(consume: 1)
        }
        // A space, control byte, non-ASCII byte or line end before any colon: not a header line.
        return .malformed(consume: index + 1)
    }

    /// RFC 9110 `tchar`: the bytes a header name may hold.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    static func asciiLowercase(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 0x20 : byte
    }

    enum Length {
        case value(Int)
        case invalid
        case overflow
    }

    /// A `Content-Length` value: one or more ASCII digits, nothing else.
    static func parseLength(_ value: [UInt8]) -> Length {
        guard !value.isEmpty else { return .invalid }
        var result = 0
        var overflowed = false
        for byte in value {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return .invalid }
            if overflowed { continue }
            let (times10, overflow1) = result.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { overflowed = true } else { result = sum }
        }
        return overflowed ? .overflow : .value(result)
    }

    /// The offset of the first `content-length:` (ASCII case-insensitive) in `bytes`.
    static func findContentLengthName(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let needle = contentLengthName
        guard bytes.count >= needle.count else { return nil }
        var start = 0
        while start <= bytes.count - needle.count {
            if asciiLowercase(bytes[start]) == needle[0] {
                var matched = 1
                while matched < needle.count, asciiLowercase(bytes[start + matched]) == needle[matched] { matched += 1 }
                if matched == needle.count { return start }
            }
            start += 1
        }
        return nil
    }

    /// The first `count` bytes of a malformed line (through the byte that made it malformed), for an error
    /// message. Only bytes up to that point are used, so the message does not depend on how reads were split.
    static func excerpt(_ bytes: UnsafeRawBufferPointer, count: Int) -> String {
        printable(Array(bytes.prefix(count)), limit: 32)
    }

    /// Printable ASCII as is, other bytes as `\xNN`, at most `limit` source bytes.
    static func printable(_ bytes: [UInt8], limit: Int) -> String {
        var text = ""
        for byte in bytes.prefix(limit) {
            if byte >= 0x20 && byte < 0x7F {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text += "\\x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16)
            }
        }
        return bytes.count > limit ? text + "…" : text
    }
}
