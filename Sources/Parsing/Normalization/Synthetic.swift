import TreeSitterKit

/// A replacement a normalizer offers for a tree-sitter node: a small tree of new nodes whose leaves may be
/// original nodes, lowered (and normalized) as usual. Synthetic nodes cover the byte range of the node they
/// replace, so evidence still points at the code as written.
public indirect enum Synthetic {
    /// Lower this original node in place.
    case lower(Node)
    case leaf(kind: String, label: String, range: Range<Int>)
    case node(kind: String, label: String, range: Range<Int>, children: [Synthetic])
}

/// Offers replacements for nodes during lowering; nil keeps the node as it is. `type` is the node's type and
/// `parentType` its parent's (nil inside synthetic nodes), given so rewriters never walk up the tree.
public protocol LoweringRewriter {
    func rewrite(_ node: Node, type: String, parentType: String?) -> Synthetic?
}
