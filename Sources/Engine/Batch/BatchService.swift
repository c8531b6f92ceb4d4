import Catalogue
import Dispatch
import Foundation
import Rules
import SourceModel
import Store
import Synchronization

/// One line of a batch's JSON Lines output, and what the analysis cache keeps.
public struct BatchResult: Sendable, Codable, Equatable {
    public var label: String
    public var name: String
    public var task: Int
    public var path: String
    public var contentHash: String
    public var recall: Double?
    public var alignment: Double?
    public var structural: Double?
    public var valid: Bool
    public var fsr: Double?
    public var speedRatio: Double?
    public var timeToTargetMs: Double?
    public var implemented: [String]
    public var missing: [String]
    public var extras: [String]
    public var findings: [String]
    public var error: String?
    /// True when the result came from the analysis cache.
    public var cached: Bool
}

/// Scores many submissions in parallel, stores each one as it finishes, and resumes where it stopped.
public struct BatchService: Sendable {
    public var store: Store
    public var scorer: ScoreService
    public var label: String

    public init(store: Store, scorer: ScoreService, label: String) {
        self.store = store
        self.scorer = scorer
        self.label = label
    }

    /// The analysis cache key of this build: the tool version and a fingerprint of the embedded catalogue.
    public static let toolVersion: String = {
        var hasher = StableHasher()
        for path in CatalogueData.paths { hasher.combine(path); hasher.combine(CatalogueData.text(path) ?? "") }
        return "\(SpeedrunLens.version)+\(String(hasher.value, radix: 16))"
    }()

    public struct Progress: Sendable {
        public var done: Int
        public var total: Int
        public var skipped: Int
        public var cached: Int
        public var failed: Int
    }

    public struct Summary: Sendable {
        public var results: [BatchResult]
        public var skipped: Int
        public var cached: Int
        public var failed: Int
    }

    /// Scores the candidates (on all cores), calling `progress` after each and `output` with each new result.
    /// `shouldStop` is asked before each submission: once it answers true, the submissions not yet started are
    /// left alone (what is stored stays stored; running the batch again resumes).
    public func run(_ candidates: [SubmissionCandidate], progress: @escaping @Sendable (Progress) -> Void = { _ in },
                    output: @escaping @Sendable (BatchResult) -> Void = { _ in },
                    shouldStop: @escaping @Sendable () -> Bool = { false }) throws -> Summary {
        // One base/reference context per task, prepared when the first submission of that task misses the
        // analysis cache (a batch served wholly from the cache never parses the records). A task whose records
        // cannot be prepared stops the batch with that error; what was stored before stays stored.
        let contexts = TaskContexts(scorer: scorer)
        let state = Mutex((results: [BatchResult](), progress: Progress(done: 0, total: candidates.count, skipped: 0, cached: 0, failed: 0)))
        WorkerThreads.run(count: candidates.count) { index in
            if shouldStop() || contexts.failure != nil { return }
            let candidate = candidates[index]
            guard let outcome = process(candidate, contexts: contexts) else { return }
            let snapshot = state.withLock { s -> Progress in
                s.progress.done += 1
                switch outcome {
                case .skipped: s.progress.skipped += 1
                case .scored(let result):
                    s.results.append(result)
                    if result.cached { s.progress.cached += 1 }
                    if result.error != nil { s.progress.failed += 1 }
                }
                return s.progress
            }
            if case .scored(let result) = outcome { output(result) }
            progress(snapshot)
        }
        if let failure = contexts.failure { throw failure }
        return state.withLock { s in
            Summary(results: s.results.sorted { ($0.task, $0.name) < ($1.task, $1.name) }, skipped: s.progress.skipped,
                    cached: s.progress.cached, failed: s.progress.failed)
        }
    }

    enum Outcome {
        case skipped
        case scored(BatchResult)
    }

    /// Scores one candidate, or returns nil when its task's base and reference could not be prepared.
    func process(_ candidate: SubmissionCandidate, contexts: TaskContexts) -> Outcome? {
        var files: [ScoredSubmission.File] = []
        var hasher = StableHasher()
        for path in candidate.files {
            let bytes = FileManager.default.contents(atPath: path).map(Array.init) ?? []
            var fileHasher = StableHasher()
            fileHasher.combine(String(decoding: bytes, as: UTF8.self))
            let hash = String(fileHasher.value, radix: 16)
            files.append(.init(path: (path as NSString).lastPathComponent, hash: hash, size: bytes.count))
            hasher.combine((path as NSString).lastPathComponent)
            hasher.combine(fileHasher.value)
        }
        let contentHash = String(hasher.value, radix: 16)
        let version = Self.toolVersion
        if (try? store.isScored(label: label, name: candidate.name, task: candidate.task, contentHash: contentHash, toolVersion: version)) == true {
            return .skipped
        }
        var result: BatchResult
        if let data = try? store.cachedAnalysis(contentHash: contentHash, task: candidate.task, toolVersion: version),
           let cached = try? JSONDecoder().decode(BatchResult.self, from: data) {
            result = cached
            result.cached = true
        } else {
            guard let context = contexts.context(task: candidate.task) else { return nil }
            result = score(candidate, context: context, contentHash: contentHash)
            if let data = try? JSONEncoder().encode(result) {
                try? store.storeAnalysis(contentHash: contentHash, task: candidate.task, toolVersion: version, result: data)
            }
        }
        result.label = label
        result.name = candidate.name
        result.path = candidate.directory
        do {
            try store.save(row(result, files: files))
        } catch {
            result.error = "not stored: \(error)"
        }
        return .scored(result)
    }

    func score(_ candidate: SubmissionCandidate, context: ScoreService.TaskContext, contentHash: String) -> BatchResult {
        var result = BatchResult(label: label, name: candidate.name, task: candidate.task, path: candidate.directory,
                                 contentHash: contentHash, valid: false, implemented: [], missing: [], extras: [],
                                 findings: [], cached: false)
        do {
            let report = try scorer.score(candidate.files, context: context)
            result.recall = report.score.recall
            result.alignment = report.score.alignment
            result.structural = report.score.structural
            result.valid = report.isValid
            result.implemented = report.score.keyChanges.filter(\.implemented).map(\.id)
            result.missing = report.score.keyChanges.filter { !$0.implemented }.map(\.id)
            result.extras = report.score.extras.map(\.id)
            result.findings = report.findings.map { "\($0.severity.rawValue):\($0.rule)" }
            if let speed = report.speed {
                result.timeToTargetMs = speed.metrics.timeToTarget.trainTimeMs
                result.fsr = speed.speedup?.fsr
                result.speedRatio = speed.speedup?.ratio
            }
        } catch {
            result.error = "\(error)"
        }
        return result
    }

    func row(_ r: BatchResult, files: [ScoredSubmission.File]) -> ScoredSubmission {
        var innovations = r.implemented.map { ScoredSubmission.Innovation(id: $0, isKey: true, implemented: true) }
        innovations += r.missing.map { ScoredSubmission.Innovation(id: $0, isKey: true, implemented: false) }
        innovations += r.extras.map { ScoredSubmission.Innovation(id: $0, isKey: false, implemented: true) }
        let findings = r.findings.map { text -> ScoredSubmission.Finding in
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            return .init(rule: parts.last ?? text, severity: parts.first ?? "", message: text)
        }
        return ScoredSubmission(label: r.label, name: r.name, task: r.task, path: r.path, contentHash: r.contentHash,
                                files: files, recall: r.recall, alignment: r.alignment, structural: r.structural,
                                valid: r.valid && r.error == nil, fsr: r.fsr, speedRatio: r.speedRatio,
                                timeToTargetMs: r.timeToTargetMs, error: r.error, toolVersion: Self.toolVersion,
                                innovations: innovations, findings: findings,
                                run: r.timeToTargetMs != nil || r.fsr != nil
                                    ? .init(source: r.path, finalValLoss: nil, reachedTarget: r.timeToTargetMs != nil, steps: nil, trainTimeMs: r.timeToTargetMs)
                                    : nil)
    }
}

/// The base/reference context of each task in a batch, prepared once, on first use, by whichever worker needs it
/// first (the others wait for it).
final class TaskContexts: Sendable {
    private let scorer: ScoreService
    private let state = Mutex((contexts: [Int: ScoreService.TaskContext](), failure: (any Error)?.none))

    init(scorer: ScoreService) { self.scorer = scorer }

    /// The first preparation error, if any.
    var failure: (any Error)? { state.withLock { $0.failure } }

    func context(task: Int) -> ScoreService.TaskContext? {
        state.withLock { s in
            if let context = s.contexts[task] { return context }
            if s.failure != nil { return nil }
            do {
                let context = try scorer.context(task: task)
                s.contexts[task] = context
                return context
            } catch {
                s.failure = error
                return nil
            }
        }
    }
}
