/// A small language-neutral syntax tree, the input of the semantic diff.
///
/// Nodes are stored in pre-order in parallel arrays, so the descendants of node `i` are exactly
/// `i + 1 ..< i + size[i]` and post-order is a reverse walk of a finished subtree. Language specifics (which
/// tree-sitter nodes become atoms, which become entities) are decided by the lowering, never here.
public struct SyntaxTree: Sendable {
    /// Node type, e.g. `call` or `function_definition` (an index into `kindNames`).
    public internal(set) var kind: [UInt16] = []
    public internal(set) var kindNames: [String] = []
    /// Value of the node: an atom's (normalized) text, an operator, or "" for structure.
    public internal(set) var label: [String] = []
    public internal(set) var parent: [Int32] = []
    /// Number of nodes in the subtree rooted here, itself included.
    public internal(set) var size: [Int32] = []
    /// 1 for leaves.
    public internal(set) var height: [Int32] = []
    /// Structural hash of the subtree (kind, label, children in order): equal subtrees hash equally.
    public internal(set) var hash: [UInt64] = []
    /// Source bytes the node covers in its file.
    public internal(set) var byteRange: [Range<Int>] = []
    /// Entity information for nodes users think in (classes, functions, hyperparameters, imports).
    public internal(set) var entity: [EntityInfo?] = []
    /// Children in order: `children(of:)` reads `childList[childStart[i] ..< childStart[i + 1]]`.
    public internal(set) var childList: [Int32] = []
    public internal(set) var childStart: [Int32] = []
    /// Index of each node among its parent's children (0 for the root).
    public internal(set) var positionInParent: [Int32] = []
    /// What the language's node kinds mean (statements, calls, literals, names).
    public internal(set) var roles = SyntaxRoles()

    public init() {}

    public var count: Int { kind.count }
    public var root: Int { 0 }

    public func kindName(_ node: Int) -> String { kindNames[Int(kind[node])] }

    /// What a node's kind contributes to its structural hash (the same in every tree).
    public static func kindHash(_ name: String) -> UInt64 {
        var hasher = StableHasher()
        hasher.combine(name)
        return hasher.value
    }

    public func children(of node: Int) -> ArraySlice<Int32> {
        childList[Int(childStart[node])..<Int(childStart[node + 1])]
    }

    public func parentOf(_ node: Int) -> Int? { parent[node] < 0 ? nil : Int(parent[node]) }

    /// Descendants of `node` in pre-order, itself excluded.
    public func descendants(of node: Int) -> Range<Int> { (node + 1)..<(node + Int(size[node])) }

    public func isLeaf(_ node: Int) -> Bool { size[node] == 1 }

    /// Position of `node` among its parent's children (constant time).
    public func childIndex(_ node: Int) -> Int { Int(positionInParent[node]) }

    /// The nearest ancestor-or-self that is an entity.
    public func enclosingEntity(_ node: Int) -> Int? {
        var current: Int? = node
        while let c = current {
            if entity[c] != nil { return c }
            current = parentOf(c)
        }
        return nil
    }

    /// Dotted path of entity names from the root down to `node` (entities only), e.g. `GPT.forward`.
    public func qualifiedName(_ node: Int) -> String {
        var names: [String] = []
        var current: Int? = node
        while let c = current {
            if let info = entity[c], info.kind != .module { names.append(info.name) }
            current = parentOf(c)
        }
        return names.reversed().joined(separator: ".")
    }
}

/// What kind of entity a node is, and its name.
public struct EntityInfo: Sendable, Hashable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case module, namespace, `class`, function, method, assignment, decorator, `import`
    }
    public var kind: Kind
    public var name: String

    public init(kind: Kind, name: String) {
        self.kind = kind
        self.name = name
    }
}

/// Builds a `SyntaxTree` in pre-order: `open` a node, add its children, `close` it; `leaf` adds a childless node.
public struct SyntaxTreeBuilder {
    private var tree = SyntaxTree()
    private var kindIDs: [String: UInt16] = [:]
    /// Stable hash of each kind name, computed once per kind.
    private var kindHashes: [UInt64] = []
    /// Open nodes, innermost last, each with its hash so far (kind, label, then each closed child) and the
    /// tallest child seen: no per-node child list is kept while building.
    private var stack: [(index: Int, hasher: StableHasher, childHeight: Int32)] = []

    public init(roles: SyntaxRoles = SyntaxRoles()) { tree.roles = roles }

    /// The id of a kind name in this tree, registering it on first use. Callers that open many nodes of the
    /// same kinds can keep ids and call `open(kind:...)` with them.
    public mutating func kindID(_ kind: String) -> UInt16 {
        if let known = kindIDs[kind] { return known }
        let id = UInt16(tree.kindNames.count)
        kindIDs[kind] = id
        tree.kindNames.append(kind)
        kindHashes.append(SyntaxTree.kindHash(kind))
        return id
    }

    @discardableResult
    public mutating func open(_ kind: String, label: String = "", range: Range<Int>, entity: EntityInfo? = nil) -> Int {
        open(kind: kindID(kind), label: label, range: range, entity: entity)
    }

    @discardableResult
    public mutating func open(kind id: UInt16, label: String = "", range: Range<Int>, entity: EntityInfo? = nil) -> Int {
        let index = tree.kind.count
        tree.kind.append(id)
        tree.label.append(label)
        tree.parent.append(Int32(stack.last?.index ?? -1))
        tree.size.append(1)
        tree.height.append(1)
        tree.hash.append(0)
        tree.byteRange.append(range)
        tree.entity.append(entity)
        var hasher = StableHasher()
        hasher.combine(kindHashes[Int(id)])
        hasher.combine(label)
        stack.append((index, hasher, 0))
        return index
    }

    /// Closes the innermost open node: its size is what was added since it opened, its height one more than
    /// its tallest child, its hash the kind, label and children's hashes in order.
    public mutating func close() {
        guard let (index, hasher, childHeight) = stack.popLast() else { return }
        let hash = hasher.value, height = childHeight + 1
        tree.size[index] = Int32(tree.kind.count - index)
        tree.height[index] = height
        tree.hash[index] = hash
        if !stack.isEmpty {
            stack[stack.count - 1].hasher.combine(hash)
            stack[stack.count - 1].childHeight = max(stack[stack.count - 1].childHeight, height)
        }
    }

    public mutating func leaf(_ kind: String, label: String, range: Range<Int>, entity: EntityInfo? = nil) {
        open(kind, label: label, range: range, entity: entity)
        close()
    }

    public mutating func leaf(kind id: UInt16, label: String, range: Range<Int>, entity: EntityInfo? = nil) {
        open(kind: id, label: label, range: range, entity: entity)
        close()
    }

    /// Closes any node still open and returns the tree, with child lists laid out from the parent links
    /// (children of a node are appended in increasing pre-order, so one counting pass suffices).
    public mutating func finish() -> SyntaxTree {
        while !stack.isEmpty { close() }
        let count = tree.count
        var childCount = [Int32](repeating: 0, count: count)
        for node in 0..<count where tree.parent[node] >= 0 { childCount[Int(tree.parent[node])] += 1 }
        tree.childStart = [Int32](repeating: 0, count: count + 1)
        for node in 0..<count { tree.childStart[node + 1] = tree.childStart[node] + childCount[node] }
        tree.childList = [Int32](repeating: 0, count: Int(tree.childStart[count]))
        tree.positionInParent = [Int32](repeating: 0, count: count)
        var filled = [Int32](repeating: 0, count: count)
        for node in 0..<count where tree.parent[node] >= 0 {
            let p = Int(tree.parent[node])
            tree.childList[Int(tree.childStart[p] + filled[p])] = Int32(node)
            tree.positionInParent[node] = filled[p]
            filled[p] += 1
        }
        return tree
    }
}

/// FNV-1a over strings and integers: stable across runs (Swift's `Hasher` is seeded per process), so hashes
/// can be compared between processes and stored.
public struct StableHasher {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func combine(_ string: String) {
        for byte in string.utf8 { mix(byte) }
        mix(0xFF)
    }

    public mutating func combine(_ integer: UInt64) {
        var v = integer
        for _ in 0..<8 {
            mix(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    private mutating func mix(_ byte: UInt8) {
        value ^= UInt64(byte)
        value = value &* 0x0000_0100_0000_01B3
    }
}
