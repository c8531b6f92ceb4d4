import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Where a ``SocketTransport`` listens.
public enum SocketEndpoint: Hashable, Sendable, CustomStringConvertible {
    /// A Unix-domain socket file, created with mode 0600 (see ``SocketTransport/bind(_:limits:logger:eventLoopGroup:)``).
    case unixDomainSocket(path: String)
    /// TCP on a loopback address only: `127.0.0.0/8`, `::1` or `localhost`. Port 0 picks a free port
    /// (read it from ``SocketTransport/localAddress``).
    case tcpLoopback(host: String = "127.0.0.1", port: Int)

    public var description: String {
        switch self {
        case .unixDomainSocket(let path): "unix:\(path)"
        case .tcpLoopback(let host, let port): "tcp:\(host):\(port)"
        }
    }
}

/// Why a socket could not be set up.
public enum SocketTransportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The TCP host is not a loopback address; the daemon never listens on the network.
    case notLoopback(host: String)
    /// Another process is listening there.
    case addressInUse(endpoint: String)
    /// A file that is not a socket is in the way; it is never deleted.
    case notASocket(path: String)
    /// The socket path (or the private path it is bound at first) is too long for `sockaddr_un`.
    case pathTooLong(path: String)
    case system(call: String, errno: Int32)

    public var description: String {
        switch self {
        case .notLoopback(let host): "\(host) is not a loopback address"
        case .addressInUse(let endpoint): "\(endpoint) is in use by another server"
        case .notASocket(let path): "\(path) exists and is not a socket"
        case .pathTooLong(let path): "socket path too long: \(path)"
        case .system(let call, let code): "\(call) failed: \(String(cString: strerror(code)))"
        }
    }
}

/// A listening socket whose every client gets a ``Connection`` of its own, built by NIO's `ServerBootstrap`.
///
/// ```swift
/// let transport = try await SocketTransport.bind(.unixDomainSocket(path: path))
/// try await transport.serve { makeConnectionWithHandlers() }
/// ```
///
/// Clients are served concurrently; one client's failure or framing errors never touch another's connection.
public final class SocketTransport: Sendable {
    public let endpoint: SocketEndpoint
    /// The address clients connect to (for TCP, with the real port when 0 was asked for).
    public let localAddress: SocketAddress?
    private let server: NIOAsyncChannel<NIOAsyncChannel<InboundFrame, Never>, Never>
    private let logger: RPCLogger
    /// The socket file to remove on close (Unix-domain sockets only); nil once removed.
    private let socketFile: NIOLockedValueBox<(path: String, identity: UnixSocketFile.Identity)?>

    private init(endpoint: SocketEndpoint, server: NIOAsyncChannel<NIOAsyncChannel<InboundFrame, Never>, Never>,
                 logger: RPCLogger, socketFile: (path: String, identity: UnixSocketFile.Identity)?) {
        self.endpoint = endpoint
        self.server = server
        // A Unix socket was bound under a private name and renamed: report the name clients use.
        if let socketFile {
            self.localAddress = try? SocketAddress(unixDomainSocketPath: socketFile.path)
        } else {
            self.localAddress = server.channel.localAddress
        }
        self.logger = logger
        self.socketFile = NIOLockedValueBox(socketFile)
    }

    /// Binds and listens.
    ///
    /// For a Unix-domain socket: a file already at the path is replaced only if it is a socket that nobody listens
    /// on (stale, from a process that died); a live socket gives ``SocketTransportError/addressInUse(endpoint:)``
    /// and any other file ``SocketTransportError/notASocket(path:)``. The new socket file has mode 0600 from the
    /// moment it is reachable, and ``close()`` (or the end of ``serve(_:)``) removes it.
    ///
    /// For TCP: anything but a loopback host is refused with ``SocketTransportError/notLoopback(host:)``.
    public static func bind(_ endpoint: SocketEndpoint, limits: FramingLimits = .default,
                            logger: RPCLogger = .standardError(),
                            eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws
        -> SocketTransport {
        let bootstrap = ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
        let initializer = FramedChannel.initializer(limits: limits)

        switch endpoint {
        case .tcpLoopback(let host, let port):
            let address = try loopbackAddress(host: host, port: port)
            let server: NIOAsyncChannel<NIOAsyncChannel<InboundFrame, Never>, Never>
            do {
                server = try await bootstrap.bind(to: address, childChannelInitializer: initializer)
            } catch let error as IOError where error.errnoCode == EADDRINUSE {
                throw SocketTransportError.addressInUse(endpoint: endpoint.description)
            }
            return SocketTransport(endpoint: endpoint, server: server, logger: logger, socketFile: nil)

        case .unixDomainSocket(let path):
            try UnixSocketFile.checkReplaceable(path)
            let (directory, temporary) = try UnixSocketFile.makePrivateBindPath(for: path)
            defer { UnixSocketFile.removePrivateDirectory(directory, socket: temporary) }
            let server: NIOAsyncChannel<NIOAsyncChannel<InboundFrame, Never>, Never>
            do {
                server = try await bootstrap.bind(unixDomainSocketPath: temporary, childChannelInitializer: initializer)
            } catch is SocketAddressError {
                throw SocketTransportError.pathTooLong(path: temporary)
            }
            do {
                let identity = try UnixSocketFile.publish(boundAt: temporary, as: path)
                return SocketTransport(endpoint: endpoint, server: server, logger: logger,
                                       socketFile: (path, identity))
            } catch {
                try? await server.channel.close()
                throw error
            }
        }
    }

    /// Accepts clients until ``close()`` is called or the task is cancelled, running a fresh connection from
    /// `makeConnection` for each. Returns once the listener is closed and every client has disconnected;
    /// cancelling the task ends all client connections too. Call it once.
    public func serve(_ makeConnection: @escaping @Sendable () -> Connection) async throws {
        defer { removeSocketFile() }
        let logger = self.logger
        try await server.executeThenClose { clients in
            try await withThrowingDiscardingTaskGroup { group in
                for try await client in clients {
                    group.addTask {
                        let connection = makeConnection()
                        do {
                            try await connection.run(on: client)
                        } catch {
                            logger.log(.warning, "client connection ended with an error: \(error)")
                        }
                    }
                }
            }
        }
    }

    /// Stops accepting clients and removes the socket file. Clients already connected keep their connections.
    public func close() async {
        try? await server.channel.close()
        removeSocketFile()
    }

    private func removeSocketFile() {
        guard let file = socketFile.withLockedValue({ value in defer { value = nil }; return value }) else { return }
        UnixSocketFile.remove(file.path, identity: file.identity)
    }

    /// The address for `host`, which must be a loopback address (`localhost` means 127.0.0.1).
    static func loopbackAddress(host: String, port: Int) throws(SocketTransportError) -> SocketAddress {
        var literal = host == "localhost" ? "127.0.0.1" : host
        if literal.hasPrefix("["), literal.hasSuffix("]") { literal = String(literal.dropFirst().dropLast()) }
        guard let address = try? SocketAddress(ipAddress: literal, port: port) else { throw .notLoopback(host: host) }
        switch address {
        case .v4:
            guard address.ipAddress?.hasPrefix("127.") == true else { throw .notLoopback(host: host) }
        case .v6:
            guard address.ipAddress == "::1" else { throw .notLoopback(host: host) }
        case .unixDomainSocket:
            throw .notLoopback(host: host)
        }
        return address
    }
}
