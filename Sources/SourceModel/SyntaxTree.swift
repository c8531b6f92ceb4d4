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
    /// What the language's node kinds mean (statements, calls, literals, names).
    public internal(set) var roles = SyntaxRoles()

    public init() {}

    public var count: Int { kind.count }
    public var root: Int { 0 }

    public func kindName(_ node: Int) -> String { kindNames[Int(kind[node])] }

    public func children(of node: Int) -> ArraySlice<Int32> {
        childList[Int(childStart[node])..<Int(childStart[node + 1])]
    }

    public func parentOf(_ node: Int) -> Int? { parent[node] < 0 ? nil : Int(parent[node]) }

    /// Descendants of `node` in pre-order, itself excluded.
    public func descendants(of node: Int) -> Range<Int> { (node + 1)..<(node + Int(size[node])) }

    public func isLeaf(_ node: Int) -> Bool { size[node] == 1 }

    /// Position of `node` among its parent's children.
    public func childIndex(_ node: Int) -> Int {
        guard let p = parentOf(node) else { return 0 }
        return children(of: p).firstIndex(of: Int32(node)).map { $0 - Int(childStart[p]) } ?? 0
    }

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
    private var stack: [Int] = []
    private var childLists: [[Int32]] = []

    public init(roles: SyntaxRoles = SyntaxRoles()) { tree.roles = roles }

    @discardableResult
    public mutating func open(_ kind: String, label: String = "", range: Range<Int>, entity: EntityInfo? = nil) -> Int {
        let id: UInt16
        if let known = kindIDs[kind] {
            id = known
        } else {
            id = UInt16(tree.kindNames.count)
            kindIDs[kind] = id
            tree.kindNames.append(kind)
        }
        let index = tree.kind.count
        tree.kind.append(id)
        tree.label.append(label)
        tree.parent.append(Int32(stack.last ?? -1))
        tree.size.append(1)
        tree.height.append(1)
        tree.hash.append(0)
        tree.byteRange.append(range)
        tree.entity.append(entity)
        childLists.append([])
        if let p = stack.last { childLists[p].append(Int32(index)) }
        stack.append(index)
        return index
    }

    /// Closes the innermost open node, computing its size, height and hash from its children.
    public mutating func close() {
        guard let index = stack.popLast() else { return }
        var size: Int32 = 1, height: Int32 = 0
        var hasher = StableHasher()
        hasher.combine(tree.kindNames[Int(tree.kind[index])])
        hasher.combine(tree.label[index])
        for child in childLists[index] {
            size += tree.size[Int(child)]
            height = max(height, tree.height[Int(child)])
            hasher.combine(tree.hash[Int(child)])
        }
        tree.size[index] = size
        tree.height[index] = height + 1
        tree.hash[index] = hasher.value
    }

    public mutating func leaf(_ kind: String, label: String, range: Range<Int>, entity: EntityInfo? = nil) {
        open(kind, label: label, range: range, entity: entity)
        close()
    }

    /// Sets the label of an open node (e.g. an operator found among its children).
    public mutating func setLabel(_ label: String, of node: Int) { tree.label[node] = label }
    public mutating func setEntity(_ entity: EntityInfo?, of node: Int) { tree.entity[node] = entity }
    public var openDepth: Int { stack.count }
    public var currentNode: Int? { stack.last }

    /// Closes any node still open and returns the tree.
    public mutating func finish() -> SyntaxTree {
        while !stack.isEmpty { close() }
        tree.childStart.reserveCapacity(tree.count + 1)
        for list in childLists {
            tree.childStart.append(Int32(tree.childList.count))
            tree.childList.append(contentsOf: list)
        }
        tree.childStart.append(Int32(tree.childList.count))
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
