/// A frame the decoder could not read. ``ContentLengthFrameDecoder`` emits it as ``InboundFrame/error(_:)``
/// and carries on (see ``resynchronizes``).
public enum FramingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A header line with no colon, an empty or non-token header name, or a control character in a value.
    /// `line` is the start of the offending line, printable characters only.
    case malformedHeaderLine(line: String)
    /// A header block ended (blank line) without `Content-Length`.
    case missingContentLength
    /// `Content-Length` is not a non-negative decimal integer (`value` as received, shortened).
    case invalidContentLength(value: String)
    /// Two `Content-Length` headers with different values.
    case conflictingContentLength
    /// `Content-Length` exceeds ``FramingLimits/maximumBodySize``. `declared` is nil when the number does not even
    /// fit in `Int`.
    case bodyTooLarge(declared: Int?, limit: Int)
    /// The header block exceeds ``FramingLimits/maximumHeaderSize`` without ending.
    case headerTooLarge(limit: Int)
    /// The stream ended in the middle of a frame (`missing` body bytes, or inside the header block when nil).
    case truncatedFrame(missing: Int?)

    /// Whether the decoder had to search for the next frame after this error, because the frame's end was unknown.
    ///
    /// False when the end was known: an oversized body of representable length is skipped byte for byte (never
    /// buffered), and the stream stays in step; a truncated frame ends the stream anyway.
    public var resynchronizes: Bool {
        switch self {
        case .malformedHeaderLine, .missingContentLength, .invalidContentLength, .conflictingContentLength,
             .headerTooLarge:
            true
        case .bodyTooLarge(let declared, _):
            declared == nil
        case .truncatedFrame:
            false
        }
    }

    /// The JSON-RPC error reported to the peer: ``ErrorCode/invalidRequest`` for a body that is too large (the
    /// frame was readable but refused), ``ErrorCode/parseError`` for everything else.
    public var responseError: ResponseError {
        switch self {
        case .bodyTooLarge:
            ResponseError(code: .invalidRequest, message: description)
        default:
            ResponseError(code: .parseError, message: description)
        }
    }

    public var description: String {
        switch self {
        case .malformedHeaderLine(let line): "malformed header line \"\(line)\""
        case .missingContentLength: "header block without Content-Length"
        case .invalidContentLength(let value): "invalid Content-Length \"\(value)\""
        case .conflictingContentLength: "conflicting Content-Length headers"
        case .bodyTooLarge(let declared?, let limit): "body of \(declared) bytes exceeds the limit of \(limit)"
        case .bodyTooLarge(nil, let limit): "body exceeds the limit of \(limit) bytes"
        case .headerTooLarge(let limit): "header block exceeds \(limit) bytes"
        case .truncatedFrame(let missing?): "stream ended \(missing) bytes before the end of a body"
        case .truncatedFrame(nil): "stream ended inside a header block"
        }
    }
}
