import NIOCore
import NIOExtras

/// Sets up a NIO channel for JSON-RPC: ``ContentLengthFrameDecoder`` on the way in, swift-nio-extras'
/// `ContentLengthHeaderFrameEncoder` on the way out (it writes `Content-Length: N` and the blank line before each
/// body, which is all the framing the peer needs), and a `NIOAsyncChannel` delivering ``InboundFrame``s.
///
/// Every transport calls this for each channel, so a stdio, Unix-socket or TCP peer is read by the same rules.
public enum FramedChannel {
    /// Adds the framing handlers to `channel` and wraps it. Must be called on the channel's event loop (as in a
    /// bootstrap's channel initializer).
    public static func configure(_ channel: any Channel, limits: FramingLimits) throws -> NIOAsyncChannel<InboundFrame, Never> {
        let operations = channel.pipeline.syncOperations
        try operations.addHandler(ByteToMessageHandler(ContentLengthFrameDecoder(limits: limits)))
        try operations.addHandler(NIOJSONRPCFraming.ContentLengthHeaderFrameEncoder())
        return try NIOAsyncChannel(wrappingChannelSynchronously: channel)
    }

    /// `configure` as a future, the shape bootstrap initializers want.
    static func initializer(limits: FramingLimits) -> @Sendable (any Channel) -> EventLoopFuture<NIOAsyncChannel<InboundFrame, Never>> {
        { channel in
            channel.eventLoop.makeCompletedFuture { try configure(channel, limits: limits) }
        }
    }
}

extension Connection {
    /// Runs the connection over a channel set up by ``FramedChannel/configure(_:limits:)``, then closes it.
    ///
    /// Frames are written with the channel's `writeAndFlush`, and the next one only after the previous write has
    /// completed, so every answer is on the wire before the channel closes.
    public func run(on channel: NIOAsyncChannel<InboundFrame, Never>) async throws {
        let nioChannel = channel.channel
        try await channel.executeThenClose { inbound in
            try await run(inbound: inbound) { body in
                try await nioChannel.writeAndFlush(body).get()
            }
        }
    }
}
