import Catalogue
import Engine
import Foundation
import JSONRPC
import Rules
import RunLogs
import SemanticDiff
import Store

/// The `speedrun/` requests: the analysis of the command-line tool, for programs and editor extensions. Results
/// use the same snake_case field names as the command line's `--json` documents (docs/protocol.md).
struct SpeedrunMethods: Sendable {
    let server: SpeedrunServer

    static let names = ["speedrun/tasks", "speedrun/classify", "speedrun/diff", "speedrun/score", "speedrun/check",
                        "speedrun/ingestRun", "speedrun/query", "speedrun/batchScore"]

    static func encode(_ value: some Encodable) throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        return try data.withUnsafeBytes { try JSONParser().parse($0) }
    }

    // MARK: Params

    struct TaskParams: Decodable { var task: Int?; var uris: [String]? }
    struct URIParams: Decodable { var uri: String }
    struct DiffParams: Decodable {
        var oldURI: String
        var newURI: String
        enum CodingKeys: String, CodingKey { case oldURI = "old_uri", newURI = "new_uri" }
    }
    struct QueryParams: Decodable {
        var task: Int?
        var innovation: String?
        var rule: String?
        var label: String?
        var group: String?
        var limit: Int?
    }
    struct BatchParams: Decodable {
        var directory: String
        var task: Int
        var label: String?
        var workDoneToken: JSONValue?
    }

    // MARK: Handlers

    func tasks(_ context: RequestContext) throws -> JSONValue {
        struct Row: Encodable { var number: Int; var title: String; var baseRecord: Int; var referenceRecord: Int; var keyChanges: [TaskSpec.KeyChange] }
        struct Result: Encodable { var tasks: [Row] }
        return try Self.encode(Result(tasks: CatalogueData.shared.tasks.map {
            Row(number: $0.task, title: $0.title, baseRecord: $0.baseRecord, referenceRecord: $0.referenceRecord, keyChanges: $0.keyChanges)
        }))
    }

    func classify(_ context: RequestContext) throws -> JSONValue {
        let params: URIParams = try context.decodeParams()
        // Parsed only if the analysis is not cached (`analyze` parses it then).
        let document = try server.document(for: params.uri, parse: false)
        let analysis = server.analyze(document)
        struct Result: Encodable { var uri: String; var innovations: [Detection]; var techniques: [TechniqueReport]; var problems: [String] }
        return try Self.encode(Result(uri: params.uri, innovations: analysis.detections, techniques: analysis.techniques,
                                      problems: analysis.problems))
    }

    func diff(_ context: RequestContext) throws -> JSONValue {
        let params: DiffParams = try context.decodeParams()
        let old = try server.document(for: params.oldURI), new = try server.document(for: params.newURI)
        switch DiffService().diff(old.sourceFile, new.sourceFile) {
        case .success(let result):
            struct Result: Encodable { var changes: [EntityChange]; var notes: [String] }
            return try Self.encode(Result(changes: result.changes, notes: result.notes))
        case .failure(let error):
            throw ResponseError(code: .requestFailed, message: "diff failed: \(error)")
        }
    }

    func score(_ context: RequestContext) throws -> JSONValue {
        let params: TaskParams = try context.decodeParams()
        let (taskContext, paths) = try taskAndPaths(params)
        let report: ScoreReport
        do {
            report = try server.scorer.score(paths, context: taskContext, sideBySide: true)
        } catch {
            throw ResponseError(code: .requestFailed, message: "\(error)")
        }
        struct Result: Encodable {
            var task: Int
            var recall: Double?
            var alignment: Double?
            var structuralScore: Double?
            var implemented: [String]
            var missing: [String]
            var extras: [String]
            var keyChanges: [TaskScore.KeyChangeResult]
            var findings: [Finding]
            var valid: Bool
            var speed: SpeedReport?
            var problems: [String]
        }
        let score = report.score
        return try Self.encode(Result(
            task: score.task, recall: score.recall, alignment: score.alignment, structuralScore: score.structural,
            implemented: score.keyChanges.filter(\.implemented).map(\.id), missing: score.keyChanges.filter { !$0.implemented }.map(\.id),
            extras: score.extras.map(\.id), keyChanges: score.keyChanges, findings: report.findings,
            valid: !report.findings.contains { $0.severity == .error }, speed: report.speed, problems: report.problems))
    }

    func check(_ context: RequestContext) throws -> JSONValue {
        let params: TaskParams = try context.decodeParams()
        let (taskContext, paths) = try taskAndPaths(params)
        do {
            let report = try CheckService(loader: server.scorer.loader).check(base: taskContext.base, submissionPaths: paths)
            struct Result: Encodable { var findings: [Finding]; var valid: Bool }
            return try Self.encode(Result(findings: report.findings, valid: report.isValid))
        } catch {
            throw ResponseError(code: .requestFailed, message: "\(error)")
        }
    }

    func ingestRun(_ context: RequestContext) throws -> JSONValue {
        let params: URIParams = try context.decodeParams()
        guard let path = DocumentURI.path(of: params.uri) else { throw ResponseError.invalidParams("not a file URI: \(params.uri)") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ResponseError(code: .requestFailed, message: "cannot read \(path)")
        }
        do {
            let parsed = try RunLogParser.parse(Array(data))
            struct Result: Encodable { var path: String; var log: ParsedRunLog }
            return try Self.encode(Result(path: path, log: parsed))
        } catch {
            throw ResponseError(code: .requestFailed, message: "\(path): \(error)")
        }
    }

    func query(_ context: RequestContext) throws -> JSONValue {
        let params: QueryParams = try context.decodeParams()
        let grouping = try params.group.map { name in
            guard let g = QueryService.Grouping(rawValue: name) else {
                throw ResponseError.invalidParams("unknown group \(name); one of \(QueryService.Grouping.allCases.map(\.rawValue))")
            }
            return g
        } ?? .submission
        do {
            let table = try QueryService(store: try server.store()).query(
                QueryService.Filter(task: params.task, innovation: params.innovation, rule: params.rule, label: params.label), by: grouping)
            struct Result: Encodable { var columns: [String]; var rows: [[String]] }
            if let limit = params.limit, limit < 0 { throw ResponseError.invalidParams("limit must not be negative") }
            return try Self.encode(Result(columns: table.columns, rows: params.limit.map { Array(table.rows.prefix($0)) } ?? table.rows))
        } catch let error as ResponseError {
            throw error
        } catch {
            throw ResponseError(code: .requestFailed, message: "\(error)")
        }
    }

    func batchScore(_ context: RequestContext) async throws -> JSONValue {
        let params: BatchParams = try context.decodeParams()
        let candidates: [SubmissionCandidate]
        do {
            candidates = try SubmissionDiscovery.discover(root: params.directory, task: params.task)
        } catch {
            throw ResponseError(code: .requestFailed, message: "\(error)")
        }
        let store = try server.store()
        let service = BatchService(store: store, scorer: server.scorer, label: params.label ?? "lsp")
        let token = params.workDoneToken
        let connection = context.connection
        if let token {
            try? connection.sendNotification("$/progress", params: ["token": token, "value": [
                "kind": "begin", "title": .string("srlens: scoring \(candidates.count) submissions"), "cancellable": true, "percentage": 0,
            ]])
        }
        // The batch runs on threads of its own (see `SpeedrunServer.offload`); cancelling this request stops it
        // between submissions.
        let stop = StopFlag()
        let summary = try await withTaskCancellationHandler {
            try await SpeedrunServer.offload { () throws -> BatchService.Summary in
                try service.run(candidates, progress: { progress in
                    guard let token, progress.total > 0 else { return }
                    let percent = progress.done * 100 / progress.total
                    try? connection.sendNotification("$/progress", params: ["token": token, "value": [
                        "kind": "report", "message": .string("\(progress.done)/\(progress.total)"), "percentage": .int(percent),
                    ]])
                }, shouldStop: { stop.isSet })
            }
        } onCancel: {
            stop.set()
        }
        if let token {
            try? connection.sendNotification("$/progress", params: ["token": token, "value": ["kind": "end", "message": "done"]])
        }
        try Task.checkCancellation()
        struct Result: Encodable { var scored: Int; var cached: Int; var skipped: Int; var failed: Int }
        return try Self.encode(Result(scored: summary.results.count, cached: summary.cached, skipped: summary.skipped, failed: summary.failed))
    }

    // MARK: Helpers

    private func taskAndPaths(_ params: TaskParams) throws -> (ScoreService.TaskContext, [String]) {
        guard let number = params.task ?? server.configuredTask else {
            throw ResponseError.invalidParams("no task: pass \"task\" or configure one in .srlens.json / initializationOptions")
        }
        let paths = try (params.uris ?? []).map { uri in
            guard let path = DocumentURI.path(of: uri) else { throw ResponseError.invalidParams("not a file URI: \(uri)") }
            return path
        }
        guard !paths.isEmpty else { throw ResponseError.invalidParams("\"uris\" names no file") }
        do {
            return (try server.taskContext(number), paths)
        } catch {
            throw ResponseError(code: .requestFailed, message: "\(error)")
        }
    }
}

/// A flag set once, read from any thread.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
