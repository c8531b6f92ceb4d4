import ArgumentParser
import Foundation
import JSONRPC
import LanguageServer

/// `srlens serve`: the language server, over standard input/output (what editors start), a Unix socket (owner-only),
/// or TCP on the loopback interface (one server for many clients).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the language server (LSP 3.17 with speedrun/ requests; docs/protocol.md).")

    @Flag(help: "Serve one client on standard input and output (the default).")
    var stdio = false

    @Option(help: "Serve clients on a Unix domain socket at this path (created with owner-only permissions).")
    var socket: String?

    @Option(help: "Serve clients on this TCP port of the loopback interface (127.0.0.1).")
    var tcp: Int?

    @Option(help: "Log level on standard error: debug, info, warning or error.")
    var log: String = "info"

    func validate() throws {
        if [stdio, socket != nil, tcp != nil].filter({ $0 }).count > 1 {
            throw ValidationError("choose one of --stdio, --socket and --tcp")
        }
        guard level != nil else { throw ValidationError("--log must be debug, info, warning or error") }
    }

    private var level: RPCLogger.Level? {
        ["debug": .debug, "info": .info, "warning": .warning, "error": .error][log]
    }

    func run() throws {
        let logger = RPCLogger.standardError(minimumLevel: level ?? .info, label: "srlens")
        let signals = StopSignals(logger: logger)
        let socket = self.socket, tcp = self.tcp
        let finished = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task.detached {
            defer { finished.signal() }
            do {
                let makeConnection: @Sendable () -> Connection = {
                    let connection = Connection(configuration: .init(logger: logger))
                    SpeedrunServer().attach(to: connection)
                    return connection
                }
                if let socket {
                    let transport = try await SocketTransport.bind(.unixDomainSocket(path: socket))
                    logger.log(.info, "listening on \(socket)")
                    signals.onStop { await transport.close() }
                    try await transport.serve(makeConnection)
                } else if let tcp {
                    let transport = try await SocketTransport.bind(.tcpLoopback(host: "127.0.0.1", port: tcp))
                    logger.log(.info, "listening on \(transport.localAddress.map { "\($0)" } ?? "127.0.0.1:\(tcp)")")
                    signals.onStop { await transport.close() }
                    try await transport.serve(makeConnection)
                } else {
                    try await StdioTransport().run(makeConnection())
                    // The client closed the stream without `exit`: as after `exit` without `shutdown`.
                    Foundation.exit(1)
                }
            } catch {
                failure.set("\(error)")
            }
        }
        finished.wait()
        // A signal's handler may be exiting at this moment (it closed the listener, which ended `serve`): two
        // threads running `exit` at once crash in the C runtime's finalizers, so only one may.
        if !ExitGate.shared.claim() { while true { pause() } }
        if let message = failure.message { throw ValidationError("serve: \(message)") }
    }
}

/// The error a background task ended with.
private final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: String?
    var message: String? { lock.withLock { value } }
    func set(_ message: String) { lock.withLock { value = message } }
}

/// Lets one thread end the process.
private final class ExitGate: @unchecked Sendable {
    static let shared = ExitGate()
    private let lock = NSLock()
    private var claimed = false
    /// True for the first caller only.
    func claim() -> Bool {
        lock.withLock {
            defer { claimed = true }
            return !claimed
        }
    }
}

/// SIGTERM, SIGINT and SIGHUP end the server cleanly (the socket file removed). They are unblocked first: a
/// process started by a parent that blocks them (test runners, some supervisors) inherits the blocked mask and
/// would otherwise ignore `kill`.
private final class StopSignals: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let lock = NSLock()
    private var cleanup: (@Sendable () async -> Void)?

    init(logger: RPCLogger) {
        var mask = sigset_t()
        sigemptyset(&mask)
        for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&mask, signal) }
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
        for number in [SIGTERM, SIGINT, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                logger.log(.info, "signal \(number): stopping")
                let cleanup = lock.withLock { self.cleanup }
                let done = DispatchSemaphore(value: 0)
                Task.detached {
                    await cleanup?()
                    done.signal()
                }
                _ = done.wait(timeout: .now() + 2)
                // The main thread returns once the listener is closed; whichever comes first ends the process.
                if ExitGate.shared.claim() { Foundation.exit(0) }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// What to do before exiting (close the listener, which removes the socket file).
    func onStop(_ body: @escaping @Sendable () async -> Void) {
        lock.withLock { cleanup = body }
    }
}
