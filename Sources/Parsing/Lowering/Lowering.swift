import SourceModel
import TreeSitterKit

/// Lowers tree-sitter trees into language-neutral `SyntaxTree`s, following a language's `LoweringRules`.
/// Iterative: input nesting depth never reaches the call stack. Children are enumerated with a cursor and node
/// kinds are looked up by symbol id, so the walk is linear in the size of the tree.
public enum Lowering {
    /// Where a node is being lowered.
    struct Place {
        var enclosing: EntityInfo.Kind
        var parentType: String?
        var settingPosition: Bool
    }

    enum Work {
        case enter(Node, Place, prefix: [Node])
        case synthetic(Synthetic, Place)
        case exit
    }

    public static func lower(_ root: Node, rules: LoweringRules, rewriter: (any LoweringRewriter)? = nil) -> SyntaxTree {
        let symbols = SymbolTable(language: root.tree.language, rules: rules)
        let walker = ChildWalker(tree: root.tree)
        var children: [Node] = []
        var builder = SyntaxTreeBuilder(roles: rules.roles)
        // The builder's kind id of each grammar symbol, registered on first use.
        var kindIDs = [Int32](repeating: -1, count: root.tree.language.symbolCount)
        func kindID(_ node: Node, _ info: SymbolTable.Entry) -> UInt16 {
            let symbol = Int(node.symbol)
            guard symbol < kindIDs.count else { return builder.kindID(info.kind) }
            if kindIDs[symbol] < 0 { kindIDs[symbol] = Int32(builder.kindID(info.kind)) }
            return UInt16(kindIDs[symbol])
        }
        builder.open("module", range: root.byteRange, entity: EntityInfo(kind: .module, name: ""))
        let top = Place(enclosing: .module, parentType: "module", settingPosition: true)
        var work: [Work] = root.children.reversed().map { .enter($0, top, prefix: []) }
        while let item = work.popLast() {
            let node: Node, place: Place, prefix: [Node]
            switch item {
            case .exit:
                builder.close()
                continue
            case let .synthetic(synthetic, place):
                switch synthetic {
                case let .lower(original):
                    work.append(.enter(original, Place(enclosing: place.enclosing, parentType: nil, settingPosition: false), prefix: []))
                case let .leaf(kind, label, range):
                    builder.leaf(kind, label: label, range: range)
                case let .node(kind, label, range, children):
                    builder.open(kind, label: label, range: range)
                    work.append(.exit)
                    for child in children.reversed() { work.append(.synthetic(child, place)) }
                }
                continue
            case let .enter(n, p, extras):
                (node, place, prefix) = (n, p, extras)
            }
            let info = symbols[node]
            if !info.isNamed || info.isDropped || node.isMissing { continue }
            let type = info.type
            if prefix.isEmpty, let rewriter, let replacement = rewriter.rewrite(node, type: type, parentType: place.parentType) {
                work.append(.synthetic(replacement, place))
                continue
            }
            if info.isAtom {
                builder.leaf(kind: kindID(node, info), label: rules.atomLabel(node), range: node.byteRange,
                             entity: entity(node, info, place))
                continue
            }
            if info.isTransparent, node.namedChildCount == 1, let inner = node.namedChild(0) {
                work.append(.enter(inner, place, prefix: prefix))
                continue
            }
            walker.children(of: node, into: &children)
            if let field = info.wrapperField, let inner = node.child(byField: field) {
                let extras = children.filter { $0.isNamed && $0 != inner && !symbols[$0].isDropped }
                work.append(.enter(inner, place, prefix: prefix + extras))
                continue
            }
            let entity = entity(node, info, place)
            var label = ""
            for child in children where symbols[child].isLabelToken {
                let token = symbols[child].type
                label += label.isEmpty ? token : " \(token)"
            }
            builder.open(kind: kindID(node, info), label: label, range: node.byteRange, entity: entity)
            work.append(.exit)
            let inner = Place(enclosing: entity?.kind ?? place.enclosing, parentType: type,
                              settingPosition: place.settingPosition && (info.isSettingContainer || entity?.kind == .class))
            for child in children.reversed() { work.append(.enter(child, inner, prefix: [])) }
            for extra in prefix.reversed() { work.append(.enter(extra, inner, prefix: [])) }
        }
        return builder.finish()
    }

    private static func entity(_ node: Node, _ info: SymbolTable.Entry, _ place: Place) -> EntityInfo? {
        guard let rule = info.entity,
              let name = rule.name(node, LoweringRules.EntityContext(enclosing: place.enclosing, settingPosition: place.settingPosition))
        else { return nil }
        var kind = rule.kind
        if kind == .function && place.enclosing == .class { kind = .method }
        return EntityInfo(kind: kind, name: name)
    }
}
