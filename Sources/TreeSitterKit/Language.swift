import CTreeSitter

/// A tree-sitter grammar. The pointer refers to static data inside the grammar's C target, so it never dies.
public struct Language: @unchecked Sendable, Hashable {
    public let name: String
    let pointer: OpaquePointer
    /// Field names and ids, read once and bucketed by the name's length: the runtime looks names up by comparing
    /// strings one by one, and `child(byField:)` is asked constantly; comparing a literal with the one or two names
    /// of its length is cheaper than hashing it.
    @usableFromInline let fieldsByLength: [[(name: String, id: UInt16)]]
    /// Symbol id -> node type name, read once: `Node.type` is asked constantly and would otherwise measure and
    /// validate the C string each time.
    let symbolNames: [String]

    /// Wraps a grammar entry point such as `tree_sitter_python()`.
    public init(name: String, pointer: OpaquePointer) {
        self.name = name
        self.pointer = pointer
        var ids: [String: UInt16] = [:]
        let count = UInt16(ts_language_field_count(pointer))
        if count > 0 {
            for id in 1...count {
                if let cName = ts_language_field_name_for_id(pointer, id) { ids[String(cString: cName)] = id }
            }
        }
        var buckets = [[(name: String, id: UInt16)]](repeating: [], count: (ids.keys.map(\.utf8.count).max() ?? 0) + 1)
        for (name, id) in ids.sorted(by: { $0.value < $1.value }) { buckets[name.utf8.count].append((name, id)) }
        fieldsByLength = buckets
        let symbols = Int(ts_language_symbol_count(pointer))
        symbolNames = (0..<symbols).map { id in
            ts_language_symbol_name(pointer, UInt16(id)).map { String(cString: $0) } ?? ""
        }
    }

    /// The ABI version the grammar was generated for.
    public var abiVersion: Int { Int(ts_language_version(pointer)) }

    /// The ABI versions the linked runtime can load.
    public static var runtimeABIRange: ClosedRange<Int> {
        Int(TREE_SITTER_MIN_COMPATIBLE_LANGUAGE_VERSION)...Int(TREE_SITTER_LANGUAGE_VERSION)
    }

    /// Throws `incompatibleLanguage` with both version numbers when the runtime cannot load this grammar.
    public func checkCompatible() throws {
        let range = Language.runtimeABIRange
        guard range.contains(abiVersion) else {
            throw TreeSitterError.incompatibleLanguage(
                name: name, grammarVersion: abiVersion,
                runtimeMinimum: range.lowerBound, runtimeMaximum: range.upperBound)
        }
    }

    public var symbolCount: Int { Int(ts_language_symbol_count(pointer)) }
    public var fieldCount: Int { Int(ts_language_field_count(pointer)) }

    /// The node type name of a symbol id (what `Node.type` returns for nodes of that symbol).
    public func symbolName(_ id: UInt16) -> String {
        guard let name = ts_language_symbol_name(pointer, id) else { return "" }
        return String(cString: name)
    }

    /// Whether a symbol names a named node (as opposed to an anonymous token such as `+`).
    public func symbolIsNamed(_ id: UInt16) -> Bool {
        ts_language_symbol_type(pointer, id) == TSSymbolTypeRegular
    }

    /// The symbol id of a node type name, or nil when the grammar has no such named node.
    public func symbol(named name: String, isNamed: Bool = true) -> UInt16? {
        let id = name.withCString { ts_language_symbol_for_name(pointer, $0, UInt32(name.utf8.count), isNamed) }
        return id == 0 ? nil : id
    }

    @inlinable public func fieldID(named name: String) -> UInt16? {
        let length = name.utf8.count
        guard length < fieldsByLength.count else { return nil }
        for field in fieldsByLength[length] where field.name == name { return field.id }
        return nil
    }

    public static func == (lhs: Language, rhs: Language) -> Bool { lhs.pointer == rhs.pointer }
    public func hash(into hasher: inout Hasher) { hasher.combine(pointer) }
}
