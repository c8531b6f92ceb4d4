import Store

/// Filters and aggregates stored scores for the front ends (`srlens query`, the report, `speedrun/query`). The SQL
/// lives in `Store` (`Store.scores(_:by:)`), where every value is bound.
public struct QueryService {
    public typealias Filter = ScoreFilter
    public typealias Grouping = ScoreGrouping
    public typealias Table = ScoreTable

    public let store: Store

    public init(store: Store) { self.store = store }

    public func query(_ filter: Filter, by grouping: Grouping) throws -> Table { try store.scores(filter, by: grouping) }
}
