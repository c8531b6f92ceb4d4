import TreeSitterKit

/// A node asked about with a given number of steps already taken: the key of answers that a depth limit can cut
/// short, so that an answer is reused only where the same steps remain.
struct NodeAtDepth: Hashable {
    let node: Node
    let depth: Int
}
