import Engine
import Foundation
import JSONRPC

/// Where the server's task, records and database come from: the client's `initializationOptions`
/// (`{"task": N, "records": PATH, "database": PATH}`) first, then the nearest `.srlens.json` above the workspace
/// root, then srlens's defaults.
struct WorkspaceSettings: Sendable {
    var configuration: Configuration
    /// Where the task came from, for messages; nil when no task is configured.
    var taskOrigin: String?

    static func resolve(root: String?, options: JSONValue?) throws -> WorkspaceSettings {
        let directory = root ?? FileManager.default.currentDirectoryPath
        var configuration = try Configuration.resolve(recordsFlag: options?["records"]?.stringValue, directory: directory)
        var origin: String? = configuration.task == nil ? nil : ".srlens.json"
        if let task = options?["task"]?.intValue {
            configuration.task = task
            origin = "initializationOptions"
        }
        if let database = options?["database"]?.stringValue { configuration.databasePath = database }
        return WorkspaceSettings(configuration: configuration, taskOrigin: origin)
    }
}
