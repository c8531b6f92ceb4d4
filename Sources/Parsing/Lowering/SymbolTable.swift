import TreeSitterKit

/// What the lowering needs to know about each grammar symbol, computed once per lowering from the rules, so
/// the walk never builds a type-name string or hashes one per node.
struct SymbolTable {
    final class Entry {
        let type: String
        /// The kind the lowered node gets (`type` unless the rules alias it).
        let kind: String
        let isNamed: Bool
        let isAtom: Bool
        let isDropped: Bool
        let isTransparent: Bool
        let isLabelToken: Bool
        let isSettingContainer: Bool
        let wrapperField: String?
        let entity: LoweringRules.EntityRule?

        init(type: String, kind: String, isNamed: Bool, isAtom: Bool, isDropped: Bool, isTransparent: Bool, isLabelToken: Bool,
             isSettingContainer: Bool, wrapperField: String?, entity: LoweringRules.EntityRule?) {
            self.type = type
            self.kind = kind
            self.isNamed = isNamed
            self.isAtom = isAtom
            self.isDropped = isDropped
            self.isTransparent = isTransparent
            self.isLabelToken = isLabelToken
            self.isSettingContainer = isSettingContainer
            self.wrapperField = wrapperField
            self.entity = entity
        }
    }

    private var entries: [Entry]
    private let rules: LoweringRules

    init(language: Language, rules: LoweringRules) {
        self.rules = rules
        entries = (0..<language.symbolCount).map { id in
            Self.entry(type: language.symbolName(UInt16(id)), isNamed: language.symbolIsNamed(UInt16(id)), rules: rules)
        }
    }

    static func entry(type: String, isNamed: Bool, rules: LoweringRules) -> Entry {
        Entry(type: type, kind: rules.kindAliases[type] ?? type, isNamed: isNamed, isAtom: rules.atoms.contains(type), isDropped: rules.dropped.contains(type),
              isTransparent: rules.transparent.contains(type), isLabelToken: !isNamed && rules.labelTokens.contains(type),
              isSettingContainer: rules.settingContainers.contains(type), wrapperField: rules.wrappers[type],
              entity: rules.entities[type])
    }

    /// The entry of a node; nodes outside the symbol table (errors) are described from their type name.
    subscript(node: Node) -> Entry {
        let symbol = Int(node.symbol)
        if symbol < entries.count { return entries[symbol] }
        return Self.entry(type: node.type, isNamed: node.isNamed, rules: rules)
    }
}
