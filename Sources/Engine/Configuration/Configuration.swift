import Foundation

/// Where srlens finds its inputs and keeps its data, from (strongest first) command-line flags, environment
/// variables, a workspace `.srlens.json` (searched from the current directory upwards), and defaults under
/// the user's data directory.
public struct Configuration: Sendable, Equatable {
    /// Reference records: a folder of `record_N/` folders (see `RecordSet`).
    public var recordsPath: String?
    /// Where the setting came from, for messages ("--records", "SRLENS_RECORDS", "/path/.srlens.json", "default").
    public var recordsOrigin: String
    /// The task a workspace is about, when its configuration says.
    public var task: Int?
    /// The SQLite database (issue 7).
    public var databasePath: String?
    /// `$XDG_DATA_HOME/srlens` or `~/.local/share/srlens`.
    public var dataDirectory: String

    /// The `.srlens.json` file format.
    public struct WorkspaceFile: Codable, Equatable, Sendable {
        public var task: Int?
        public var records: String?
        public var database: String?
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case invalidWorkspaceFile(path: String, reason: String)

        public var description: String {
            switch self {
            case let .invalidWorkspaceFile(path, reason): "\(path): not a valid srlens workspace file: \(reason)"
            }
        }
    }

    public static func resolve(recordsFlag: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                               directory: String = FileManager.default.currentDirectoryPath) throws -> Configuration {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let dataRoot = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(home)/.local/share"
        let dataDirectory = "\(dataRoot)/srlens"
        var configuration = Configuration(recordsPath: nil, recordsOrigin: "default", task: nil, databasePath: nil,
                                          dataDirectory: dataDirectory)
        if let (path, workspace) = try findWorkspaceFile(from: directory) {
            let base = (path as NSString).deletingLastPathComponent
            configuration.task = workspace.task
            if let records = workspace.records {
                configuration.recordsPath = records.hasPrefix("/") ? records : "\(base)/\(records)"
                configuration.recordsOrigin = path
            }
            configuration.databasePath = workspace.database.map { $0.hasPrefix("/") ? $0 : "\(base)/\($0)" }
        }
        if let records = environment["SRLENS_RECORDS"], !records.isEmpty {
            configuration.recordsPath = records
            configuration.recordsOrigin = "SRLENS_RECORDS"
        }
        if let recordsFlag {
            configuration.recordsPath = recordsFlag
            configuration.recordsOrigin = "--records"
        }
        if configuration.recordsPath == nil {
            configuration.recordsPath = "\(dataDirectory)/records"
        }
        return configuration
    }

    /// The nearest `.srlens.json` in `directory` or above.
    static func findWorkspaceFile(from directory: String) throws -> (String, WorkspaceFile)? {
        var current = URL(fileURLWithPath: directory).standardizedFileURL
        while true {
            let candidate = current.appendingPathComponent(".srlens.json")
            if let data = FileManager.default.contents(atPath: candidate.path) {
                do {
                    return (candidate.path, try JSONDecoder().decode(WorkspaceFile.self, from: data))
                } catch {
                    throw Failure.invalidWorkspaceFile(path: candidate.path, reason: "\(error)")
                }
            }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { return nil }
            current = parent
        }
    }
}
