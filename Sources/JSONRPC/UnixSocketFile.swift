import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file system side of a Unix-domain listening socket: what to do with a file already at the path, binding so
/// that no other user can ever connect, and removing the file afterwards.
///
/// Binding creates the socket file with the process's umask, which is process-wide and cannot be changed safely in
/// a threaded program. So the socket is bound inside a fresh directory next to the target (mode 0700, from
/// `mkdtemp`), restricted to 0600 there, and only then renamed onto the target path. Nobody but the owner can
/// reach it at any moment, and the rename also replaces a stale socket file atomically.
enum UnixSocketFile {
    /// The device and inode of the socket file this process created, so it only ever removes its own.
    struct Identity: Hashable, Sendable {
        var device: UInt64
        var inode: UInt64
    }

    /// Refuses a path whose file is not a socket, or whose socket has a live listener; a socket nobody listens on
    /// (left by a process that died) is stale and may be replaced.
    static func checkReplaceable(_ path: String) throws(SocketTransportError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw .system(call: "lstat", errno: errno)
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path: path) }
        if try isListening(path) { throw .addressInUse(endpoint: path) }
    }

    /// Tries a non-blocking connection: refused means stale.
    private static func isListening(_ path: String) throws(SocketTransportError) -> Bool {
        let address: SocketAddress
        do {
            address = try SocketAddress(unixDomainSocketPath: path)
        } catch {
            throw .pathTooLong(path: path)
        }
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw .system(call: "socket", errno: errno) }
        defer { close(fd) }
        let result = address.withSockAddr { pointer, length in connect(fd, pointer, socklen_t(length)) }
        if result == 0 { return true }
        switch errno {
        case ECONNREFUSED, ENOENT: return false
        default: return true  // EAGAIN (backlog full), EACCES…: someone owns it; leave it alone.
        }
    }

    /// A fresh private directory next to `path`, and the name to bind inside it.
    static func makePrivateBindPath(for path: String) throws(SocketTransportError) -> (directory: String, socket: String) {
        let parent: String
        if let slash = path.lastIndex(of: "/") {
            parent = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            parent = "."
        }
        var template = Array((parent == "/" ? "/.rpc-XXXXXX" : parent + "/.rpc-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard created != nil else { throw .system(call: "mkdtemp", errno: errno) }
        let directory = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (directory, directory + "/s")
    }

    /// Restricts the freshly bound socket to its owner and moves it to `path`.
    static func publish(boundAt temporary: String, as path: String) throws(SocketTransportError) -> Identity {
        guard chmod(temporary, 0o600) == 0 else { throw .system(call: "chmod", errno: errno) }
        guard rename(temporary, path) == 0 else { throw .system(call: "rename", errno: errno) }
        var info = stat()
        guard lstat(path, &info) == 0 else { throw .system(call: "lstat", errno: errno) }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// Removes `path` if it is still the socket this process created.
    static func remove(_ path: String, identity: Identity) {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK,
              UInt64(info.st_dev) == identity.device, UInt64(info.st_ino) == identity.inode else { return }
        unlink(path)
    }

    /// Best-effort cleanup of the private directory (and a socket left in it after a failure).
    static func removePrivateDirectory(_ directory: String, socket: String) {
        unlink(socket)
        rmdir(directory)
    }
}
