import SourceModel

/// A partial one-to-one mapping between the nodes of a source tree and a destination tree.
public struct Mapping: Sendable {
    public private(set) var sourceToDestination: [Int32]
    public private(set) var destinationToSource: [Int32]
    public private(set) var count = 0

    public init(sourceCount: Int, destinationCount: Int) {
        sourceToDestination = Array(repeating: -1, count: sourceCount)
        destinationToSource = Array(repeating: -1, count: destinationCount)
    }

    public func destination(of source: Int) -> Int? {
        let d = sourceToDestination[source]
        return d < 0 ? nil : Int(d)
    }

    public func source(of destination: Int) -> Int? {
        let s = destinationToSource[destination]
        return s < 0 ? nil : Int(s)
    }

    public func isSourceMapped(_ node: Int) -> Bool { sourceToDestination[node] >= 0 }
    public func isDestinationMapped(_ node: Int) -> Bool { destinationToSource[node] >= 0 }

    /// Links two unmapped nodes; does nothing if either is already mapped.
    public mutating func link(_ source: Int, _ destination: Int) {
        guard sourceToDestination[source] < 0, destinationToSource[destination] < 0 else { return }
        sourceToDestination[source] = Int32(destination)
        destinationToSource[destination] = Int32(source)
        count += 1
    }

    /// Links two isomorphic subtrees node by node (their pre-orders correspond).
    mutating func linkSubtrees(_ source: Int, _ destination: Int, size: Int) {
        for offset in 0..<size { link(source + offset, destination + offset) }
    }
}
