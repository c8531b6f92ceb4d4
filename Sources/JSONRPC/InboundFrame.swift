import NIOCore

/// What ``ContentLengthFrameDecoder`` produces: the body of one frame, or a framing error.
///
/// Errors are values, not thrown, because NIO's `ByteToMessageHandler` stops decoding for good after a throw; the
/// decoder instead reports the error downstream and keeps reading.
public enum InboundFrame: Sendable, Hashable {
    /// The body of one frame (without its headers). Its size is at most ``FramingLimits/maximumBodySize``.
    case body(ByteBuffer)
    case error(FramingError)
}
