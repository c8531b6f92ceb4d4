import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// JSON-RPC over standard input and output, the way editors start a language server.
///
/// The descriptors are duplicated and the copies handed to NIO's `NIOPipeBootstrap` (which closes what it owns),
/// so the process's own descriptors stay open. By default standard output is then pointed at standard error: the
/// protocol goes out through the private copy, and a stray `print` anywhere in the process lands in the log instead
/// of corrupting a frame. Input and output must be pipes, sockets or terminals; NIO refuses regular files.
///
/// When the input ends, the handlers in flight finish and their answers are written before ``run(_:)`` returns
/// (half-closure is enabled on the channel).
public struct StdioTransport: Sendable {
    public var input: CInt
    public var output: CInt
    public var limits: FramingLimits
    /// Redirect descriptor 1 to descriptor 2 once the protocol has its own copy (only when `output` is 1).
    public var redirectsStandardOutput: Bool
    public var eventLoopGroup: any EventLoopGroup

    public init(input: CInt = STDIN_FILENO, output: CInt = STDOUT_FILENO, limits: FramingLimits = .default,
                redirectsStandardOutput: Bool = true,
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.input = input
        self.output = output
        self.limits = limits
        self.redirectsStandardOutput = redirectsStandardOutput
        self.eventLoopGroup = eventLoopGroup
    }

    /// Runs `connection` until the input ends (or the task is cancelled), then closes the protocol's copies.
    public func run(_ connection: Connection) async throws {
        let inputCopy = dup(input)
        guard inputCopy >= 0 else { throw IOError(errnoCode: errno, reason: "dup(input)") }
        let outputCopy = dup(output)
        guard outputCopy >= 0 else {
            let code = errno
            close(inputCopy)
            throw IOError(errnoCode: code, reason: "dup(output)")
        }
        let channel: NIOAsyncChannel<InboundFrame, Never>
        do {
            channel = try await NIOPipeBootstrap(group: eventLoopGroup)
                .channelOption(.allowRemoteHalfClosure, value: true)
                .takingOwnershipOfDescriptors(input: inputCopy, output: outputCopy,
                                              channelInitializer: FramedChannel.initializer(limits: limits))
        } catch {
            // On failure the descriptors are still ours.
            close(inputCopy)
            close(outputCopy)
            throw error
        }
        if redirectsStandardOutput, output == STDOUT_FILENO {
            _ = dup2(STDERR_FILENO, STDOUT_FILENO)
        }
        try await connection.run(on: channel)
    }
}
