import CTreeSitter

/// A tree-sitter grammar. The pointer refers to static data inside the grammar's C target, so it never dies.
public struct Language: @unchecked Sendable, Hashable {
    public let name: String
    let pointer: OpaquePointer

    /// Wraps a grammar entry point such as `tree_sitter_python()`.
    public init(name: String, pointer: OpaquePointer) {
        self.name = name
        self.pointer = pointer
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

    /// The symbol id of a node type name, or nil when the grammar has no such named node.
    public func symbol(named name: String, isNamed: Bool = true) -> UInt16? {
        let id = name.withCString { ts_language_symbol_for_name(pointer, $0, UInt32(name.utf8.count), isNamed) }
        return id == 0 ? nil : id
    }

    public func fieldID(named name: String) -> UInt16? {
        let id = name.withCString { ts_language_field_id_for_name(pointer, $0, UInt32(name.utf8.count)) }
        return id == 0 ? nil : id
    }

    public static func == (lhs: Language, rhs: Language) -> Bool { lhs.pointer == rhs.pointer }
    public func hash(into hasher: inout Hasher) { hasher.combine(pointer) }
}
