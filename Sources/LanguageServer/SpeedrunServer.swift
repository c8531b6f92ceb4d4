import Catalogue
import Engine
import Foundation
import JSONRPC
import Store

/// The srlens language server: LSP 3.17 lifecycle and document sync, push diagnostics, code lenses, hover and
/// document symbols for Python and CUDA files, and the `speedrun/` requests. One instance serves one client
/// connection.
public final class SpeedrunServer: @unchecked Sendable {
    public enum Phase: Sendable { case uninitialized, running, shutDown }

    /// Called with the exit code when the client sends `exit` (the command line ends the process).
    let onExit: @Sendable (Int32) -> Void
    private let lock = NSLock()
    private var phase = Phase.uninitialized
    private var encoding = PositionEncoding.utf16
    private var settings: WorkspaceSettings?
    private var documents: [String: OpenDocument] = [:]
    private var analyses: [String: DocumentAnalysis] = [:]
    private var contexts: [Int: Result<ScoreService.TaskContext, Error>] = [:]
    /// Analyses by content: repeated `speedrun/classify` of an unchanged file costs a lookup.
    private var recent: [AnalysisKey: DocumentAnalysis] = [:]
    static let recentLimit = 256

    struct AnalysisKey: Hashable {
        let path: String
        let bytes: [UInt8]
        let task: Int?
    }
    private var openedStore: Store?

    public init(onExit: @escaping @Sendable (Int32) -> Void = { exit($0) }) {
        self.onExit = onExit
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// The scorer, reading open documents as the editor has them rather than from disk.
    var scorer: ScoreService {
        let (configuration, open) = locked { (settings?.configuration, documents.values.map { ($0.path, $0.bytes) }) }
        return ScoreService(configuration: configuration ?? Configuration.fallback,
                            loader: SourceLoader(overlays: Dictionary(open, uniquingKeysWith: { a, _ in a })))
    }
    var configuredTask: Int? { locked { settings?.configuration.task } }
    var positionEncoding: PositionEncoding { locked { encoding } }

    /// Registers every handler on `connection`.
    public func attach(to connection: Connection) {
        let methods = SpeedrunMethods(server: self)
        connection.onRequest("initialize") { [self] in try initialize($0) }
        connection.onNotification("initialized") { _ in }
        connection.onRequest("shutdown") { [self] _ in
            try requireRunning()
            locked { phase = .shutDown }
            return .null
        }
        connection.onNotification("exit") { [self] _ in onExit(locked { phase == .shutDown } ? 0 : 1) }
        connection.onNotification("$/cancelRequest") { context in
            let params: CancelParams = try context.decodeParams()
            switch params.id {
            case .int(let n): context.connection.cancelIncomingRequest(.int(n))
            case .string(let s): context.connection.cancelIncomingRequest(.string(s))
            }
        }
        connection.onNotification("textDocument/didOpen") { [self] in try didOpen($0) }
        connection.onNotification("textDocument/didChange") { [self] in try didChange($0) }
        connection.onNotification("textDocument/didSave") { [self] in try didSave($0) }
        connection.onNotification("textDocument/didClose") { [self] in try didClose($0) }
        request(connection, "textDocument/codeLens") { [self] in try codeLens($0) }
        request(connection, "textDocument/hover") { [self] in try hover($0) }
        request(connection, "textDocument/documentSymbol") { [self] in try documentSymbols($0) }
        request(connection, "speedrun/tasks", methods.tasks)
        request(connection, "speedrun/classify", methods.classify)
        request(connection, "speedrun/diff", methods.diff)
        request(connection, "speedrun/score", methods.score)
        request(connection, "speedrun/check", methods.check)
        request(connection, "speedrun/ingestRun", methods.ingestRun)
        request(connection, "speedrun/query", methods.query)
        connection.onRequest("speedrun/batchScore") { [self] context in
            try requireRunning()
            return try await methods.batchScore(context)
        }
    }

    /// A request that needs an initialized server. Its work runs on a thread of its own (see `offload`).
    private func request(_ connection: Connection, _ method: String, _ body: @escaping @Sendable (RequestContext) throws -> JSONValue) {
        connection.onRequest(method) { [self] context in
            try requireRunning()
            return try await Self.offload { try body(context) }
        }
    }

    /// Runs synchronous analysis work on a new thread and waits for it without holding a thread of Swift's
    /// cooperative pool (one per core, which also reads and dispatches every connection) or of Dispatch's global
    /// pool (which a batch fills with its own work): the system scheduler then shares the cores between one
    /// client's long batch and another client's quick request, instead of queueing the quick one behind it.
    static func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    private func requireRunning() throws {
        switch locked({ phase }) {
        case .running: return
        case .uninitialized: throw ResponseError(code: .serverNotInitialized, message: "the server is not initialized yet")
        case .shutDown: throw ResponseError(code: .invalidRequest, message: "the server is shutting down")
        }
    }

    // MARK: Lifecycle

    private func initialize(_ context: RequestContext) throws -> JSONValue {
        guard locked({ phase }) == .uninitialized else { throw ResponseError.invalidRequest("initialize was already received") }
        let params = context.params
        let offered = params?["capabilities"]?["general"]?["positionEncodings"]?.arrayValue?.compactMap(\.stringValue)
        let negotiated = PositionEncoding.negotiate(offered: offered)
        let root = params?["rootUri"]?.stringValue.flatMap(DocumentURI.path(of:))
            ?? params?["workspaceFolders"]?[0]?["uri"]?.stringValue.flatMap(DocumentURI.path(of:))
            ?? params?["rootPath"]?.stringValue
        let resolved: WorkspaceSettings
        do {
            resolved = try WorkspaceSettings.resolve(root: root, options: params?["initializationOptions"])
        } catch {
            throw ResponseError(code: .requestFailed, message: "\(error)")
        }
        locked {
            encoding = negotiated
            settings = resolved
            phase = .running
        }
        let commands: [JSONValue] = [.string(CodeLensBuilder.command)]
        return [
            "capabilities": [
                "positionEncoding": .string(negotiated.rawValue),
                "textDocumentSync": ["openClose": true, "change": 2, "save": ["includeText": false]],
                "hoverProvider": true,
                "codeLensProvider": ["resolveProvider": false],
                "documentSymbolProvider": true,
                "executeCommandProvider": ["commands": .array(commands)],
                "experimental": ["speedrunRequests": .array(SpeedrunMethods.names.map { .string($0) })],
            ],
            "serverInfo": ["name": "srlens", "version": .string(SpeedrunLens.version)],
        ]
    }

    // MARK: Documents

    private func didOpen(_ context: NotificationContext) throws {
        let params: DidOpenTextDocumentParams = try context.decodeParams()
        let item = params.textDocument
        let document = OpenDocument(uri: item.uri, languageID: item.languageId, version: item.version, text: item.text)
        locked { documents[item.uri] = document }
        publish(document, on: context.connection)
    }

    private func didChange(_ context: NotificationContext) throws {
        let params: DidChangeTextDocumentParams = try context.decodeParams()
        let uri = params.textDocument.uri
        let document: OpenDocument? = try locked {
            guard var document = documents[uri] else { return nil }
            try document.apply(params.contentChanges, version: params.textDocument.version, encoding: encoding)
            documents[uri] = document
            return document
        }
        if let document { publish(document, on: context.connection) }
    }

    private func didSave(_ context: NotificationContext) throws {
        let params: DidSaveTextDocumentParams = try context.decodeParams()
        if let document = locked({ documents[params.textDocument.uri] }) { publish(document, on: context.connection) }
    }

    private func didClose(_ context: NotificationContext) throws {
        let params: DidCloseTextDocumentParams = try context.decodeParams()
        let uri = params.textDocument.uri
        locked {
            documents[uri] = nil
            analyses[uri] = nil
        }
        try? context.connection.sendNotification("textDocument/publishDiagnostics", params: try JSONValue(encoding:
            PublishDiagnosticsParams(uri: uri, version: nil, diagnostics: [])))
    }

    /// Analyses a document version on a thread of its own (see `offload`) and publishes its diagnostics, unless a
    /// newer version arrived meanwhile (then that version's analysis publishes instead).
    private func publish(_ document: OpenDocument, on connection: Connection) {
        Thread { [self] in
            guard isCurrent(document) else { return }
            let analysis = analyze(document, scope: .diagnostics)
            let (current, taskConfigured, encoding) = locked {
                (documents[document.uri]?.version == document.version, settings?.configuration.task != nil, self.encoding)
            }
            guard current else { return }
            let diagnostics = DiagnosticsBuilder.diagnostics(analysis, document: document, encoding: encoding, taskConfigured: taskConfigured)
            let params = PublishDiagnosticsParams(uri: document.uri, version: document.version, diagnostics: diagnostics)
            try? connection.sendNotification("textDocument/publishDiagnostics", params: try JSONValue(encoding: params))
        }.start()
    }

    private func isCurrent(_ document: OpenDocument) -> Bool {
        locked { documents[document.uri]?.version == document.version }
    }

    /// The analysis of a document version (kept, so lenses and hovers of the same version reuse it; the same text
    /// asked for again, open or not, is answered from `recent`). `.diagnostics` is satisfied by either analysis;
    /// `.everything` only by a complete one.
    func analyze(_ document: OpenDocument, scope: DocumentAnalysis.Scope = .everything) -> DocumentAnalysis {
        func enough(_ analysis: DocumentAnalysis) -> Bool { scope == .diagnostics || analysis.complete }
        let key = AnalysisKey(path: document.path, bytes: document.bytes, task: document.language == .python ? configuredTask : nil)
        let kept = locked({ analyses[document.uri] })
        if let kept, kept.version == document.version {
            if enough(kept) { return kept }
            // Diagnostics were published from a partial analysis of this version: only the detections are missing.
            let complete = DocumentAnalysis.completing(kept, document.parsed())
            keep(complete, for: document, key: key)
            return complete
        }
        if var known = locked({ recent[key] }) {
            known.reversion(document.version)
            return known
        }
        // An edit that changed no code (a comment, blank lines, re-indentation): the previous version's analysis,
        // its ranges moved.
        if let previous = document.previous, let known = kept, known.version == previous.version,
           known.task == key.task, enough(known), let carried = DocumentAnalysis.carriedOver(known, from: previous.tree, to: document) {
            keep(carried, for: document, key: key)
            return carried
        }
        var taskContext: ScoreService.TaskContext?
        var problem: String?
        if document.language == .python, let task = configuredTask {
            switch context(task) {
            case .success(let c): taskContext = c
            case .failure(let error): problem = "task \(task): \(error)"
            }
        }
        let analysis = DocumentAnalysis.analyze(document.parsed(), context: taskContext, contextProblem: problem, scope: scope)
        keep(analysis, for: document, key: key)
        return analysis
    }

    /// Keeps an analysis as the open document's (if that version is still current and nothing more complete is
    /// kept for it) and, when complete, by content.
    private func keep(_ analysis: DocumentAnalysis, for document: OpenDocument, key: AnalysisKey) {
        locked {
            let kept = analyses[document.uri]
            if documents[document.uri]?.version == document.version,
               kept?.version != document.version || kept?.complete != true || analysis.complete {
                analyses[document.uri] = analysis
            }
            guard analysis.complete else { return }
            if recent.count >= Self.recentLimit { recent.removeAll(keepingCapacity: true) }
            recent[key] = analysis
        }
    }

    /// An open document, or a file on disk read as one (parsed unless `parse` is false; see `OpenDocument.parsed()`).
    func document(for uri: String, parse: Bool = true) throws -> OpenDocument {
        if let open = locked({ documents[uri] }) { return open }
        guard let path = DocumentURI.path(of: uri) else { throw ResponseError.invalidParams("not a file URI: \(uri)") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ResponseError(code: .requestFailed, message: "cannot read \(path)")
        }
        return OpenDocument(uri: uri, languageID: "", version: 0, text: String(decoding: data, as: UTF8.self), parse: parse)
    }

    private func openDocument(_ params: JSONValue?) throws -> OpenDocument {
        guard let uri = params?["textDocument"]?["uri"]?.stringValue else { throw ResponseError.invalidParams("textDocument.uri is missing") }
        return try document(for: uri)
    }

    // MARK: Task context

    private func context(_ task: Int) -> Result<ScoreService.TaskContext, Error> {
        if let known = locked({ contexts[task] }) { return known }
        let result = Result { try scorer.context(task: task) }
        locked { contexts[task] = result }
        return result
    }

    func taskContext(_ task: Int) throws -> ScoreService.TaskContext { try context(task).get() }

    /// The database (opened on first use).
    func store() throws -> Store {
        if let open = locked({ openedStore }) { return open }
        let configuration = locked { settings?.configuration } ?? Configuration.fallback
        let path = configuration.databasePath ?? "\(configuration.dataDirectory)/srlens.sqlite"
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let store = try Store(path: path)
        locked { openedStore = store }
        return store
    }

    // MARK: Features

    private func codeLens(_ context: RequestContext) throws -> JSONValue {
        let document = try openDocument(context.params)
        return try JSONValue(encoding: CodeLensBuilder.lenses(analyze(document), document: document, encoding: positionEncoding))
    }

    private func hover(_ context: RequestContext) throws -> JSONValue {
        let params: TextDocumentPositionParams = try context.decodeParams()
        let document = try document(for: params.textDocument.uri)
        guard let hover = HoverBuilder.hover(analyze(document), document: document, at: params.position, encoding: positionEncoding)
        else { return .null }
        return try JSONValue(encoding: hover)
    }

    private func documentSymbols(_ context: RequestContext) throws -> JSONValue {
        let document = try openDocument(context.params)
        return try JSONValue(encoding: SymbolBuilder.symbols(document, encoding: positionEncoding))
    }
}

extension Configuration {
    /// Defaults when no workspace is known (before `initialize`).
    static var fallback: Configuration {
        (try? Configuration.resolve(directory: FileManager.default.currentDirectoryPath))
            ?? (try! Configuration.resolve(environment: [:], directory: "/"))
    }
}
