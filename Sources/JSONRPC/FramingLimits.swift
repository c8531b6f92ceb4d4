/// How much ``ContentLengthFrameDecoder`` accepts before it refuses a frame.
public struct FramingLimits: Hashable, Sendable {
    /// The largest body accepted, in bytes. A larger `Content-Length` is reported at once and its body skipped.
    public var maximumBodySize: Int
    /// The largest header block accepted, in bytes (all header lines with their line ends).
    public var maximumHeaderSize: Int

    public init(maximumBodySize: Int = 64 << 20, maximumHeaderSize: Int = 16 << 10) {
        precondition(maximumBodySize >= 0 && maximumHeaderSize > 0, "framing limits must be positive")
        self.maximumBodySize = maximumBodySize
        self.maximumHeaderSize = maximumHeaderSize
    }

    /// 64 MiB bodies, 16 KiB header blocks.
    public static let `default` = FramingLimits()
}
