import Foundation

/// A folder under the system's temporary directory that lives as long as this object. A suite keeps one as a
/// stored property: Swift Testing makes a fresh suite instance for each test (and each argument of a
/// parameterized test), so the files a test writes go away when the test ends, passed or failed.
public final class ScratchFolder: @unchecked Sendable {
    public let url: URL

    /// `prefix` names the folder (`srlens-cli-<UUID>`), so a leftover says which suite made it.
    public init(_ prefix: String) {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        // A failure here shows up as a failed write in the test, with the path in the message.
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    public var path: String { url.path }

    /// A new empty folder inside this one.
    public func folder(_ name: String = UUID().uuidString) throws -> URL {
        let folder = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}
