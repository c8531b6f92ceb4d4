import Catalogue
import Synchronization
import SourceModel

/// Copies of one file's facts, lent to one thread at a time.
///
/// `PythonFacts` computes what it knows on first use and keeps it, so it is not thread-safe. A task's base
/// record is read by every submission scored against it, often on several threads at once: each borrows a copy
/// of its own, made on first need and then kept warm for the next submission, so the base is parsed and
/// analysed once per thread rather than once per submission.
public final class FactsPool: Sendable {
    public let file: SourceFile
    private let idle: Mutex<[Lent]>

    /// A copy in the pool; only one thread holds it at a time.
    private struct Lent: @unchecked Sendable { let facts: PythonFacts }

    /// `seed`: facts of `file` already made (and no longer used elsewhere), to lend first.
    public init(file: SourceFile, seed: PythonFacts? = nil) {
        self.file = file
        idle = Mutex(seed.map { [Lent(facts: $0)] } ?? [])
    }

    /// Runs `body` with a copy of the facts that no other thread uses meanwhile.
    public func withFacts<T>(_ body: (PythonFacts) throws -> T) throws -> T {
        let facts = try idle.withLock { $0.popLast() }?.facts ?? PythonFacts(file: file)
        defer { idle.withLock { $0.append(Lent(facts: facts)) } }
        return try body(facts)
    }
}
