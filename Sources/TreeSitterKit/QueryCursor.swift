import CTreeSitter

/// One match of a query pattern, after its text predicates held.
public struct QueryMatch: @unchecked Sendable {
    public let patternIndex: Int
    /// Captures in the order tree-sitter reports them.
    public let captures: [QueryCapture]

    /// The first node captured under `name`.
    public subscript(name: String) -> Node? { captures.first { $0.name == name }?.node }

    /// All nodes captured under `name` (quantified captures give several).
    public func nodes(_ name: String) -> [Node] { captures.filter { $0.name == name }.map(\.node) }
}

public struct QueryCapture: @unchecked Sendable {
    public let name: String
    public let index: Int
    public let node: Node
}

/// Runs queries over trees. Not thread-safe: create one per thread; reuse it across queries.
public final class QueryCursor {
    private let raw: OpaquePointer

    public init() { raw = ts_query_cursor_new() }
    deinit { ts_query_cursor_delete(raw) }

    /// Whether the last execution dropped matches because it hit tree-sitter's in-progress match limit.
    public var didExceedMatchLimit: Bool { ts_query_cursor_did_exceed_match_limit(raw) }

    /// All matches of `query` under `node` (optionally restricted to a byte range) whose predicates hold.
    public func matches(of query: Query, in node: Node, byteRange: Range<Int>? = nil) -> [QueryMatch] {
        if let byteRange {
            ts_query_cursor_set_byte_range(raw, UInt32(byteRange.lowerBound), UInt32(byteRange.upperBound))
        } else {
            ts_query_cursor_set_byte_range(raw, 0, UInt32.max)
        }
        ts_query_cursor_exec(raw, query.raw, node.raw)
        var result: [QueryMatch] = []
        var match = TSQueryMatch()
        while ts_query_cursor_next_match(raw, &match) {
            var captures: [QueryCapture] = []
            var byIndex: [Int: [Node]] = [:]
            captures.reserveCapacity(Int(match.capture_count))
            for i in 0..<Int(match.capture_count) {
                let c = match.captures[i]
                guard let n = Node(c.node, in: node.tree) else { continue }
                let index = Int(c.index)
                captures.append(QueryCapture(name: query.captureNames[index], index: index, node: n))
                byIndex[index, default: []].append(n)
            }
            let pattern = Int(match.pattern_index)
            guard query.predicates[pattern].allSatisfy({ $0.holds(in: byIndex) }) else { continue }
            result.append(QueryMatch(patternIndex: pattern, captures: captures))
        }
        return result
    }
}
