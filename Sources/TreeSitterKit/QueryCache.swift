import Synchronization

/// Compiled queries by language and source. Compiling a query costs tens of milliseconds (a CUDA query up to
/// 120 ms), so every query is compiled once per process and shared: `Query` is immutable and `Sendable`.
public final class QueryCache: Sendable {
    public static let shared = QueryCache()

    private struct Key: Hashable {
        let language: Language
        let source: String
    }

    private let storage = Mutex<[Key: Query]>([:])

    public init() {}

    /// The compiled query, compiling it on first use. Compile errors are not cached: they are thrown each time.
    public func query(language: Language, source: String) throws -> Query {
        let key = Key(language: language, source: source)
        if let hit = storage.withLock({ $0[key] }) { return hit }
        let compiled = try Query(language: language, source: source)
        return storage.withLock { table in
            if let raced = table[key] { return raced }
            table[key] = compiled
            return compiled
        }
    }

    public var count: Int { storage.withLock { $0.count } }
}
