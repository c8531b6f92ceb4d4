import SourceModel
import TreeSitterKit

/// Lowers tree-sitter trees into language-neutral `SyntaxTree`s, following a language's `LoweringRules`.
/// Iterative: input nesting depth never reaches the call stack.
public enum Lowering {
    public static func lower(_ root: Node, rules: LoweringRules, rewriter: (any LoweringRewriter)? = nil) -> SyntaxTree {
        enum Work {
            case enter(Node, enclosing: EntityInfo.Kind, prefix: [Node])
            case synthetic(Synthetic, enclosing: EntityInfo.Kind)
            case exit
        }
        var builder = SyntaxTreeBuilder(roles: rules.roles)
        builder.open("module", range: root.byteRange, entity: EntityInfo(kind: .module, name: ""))
        var work: [Work] = root.children.reversed().map { .enter($0, enclosing: .module, prefix: []) }
        while let item = work.popLast() {
            let node: Node, enclosing: EntityInfo.Kind, prefix: [Node]
            switch item {
            case .exit:
                builder.close()
                continue
            case let .synthetic(synthetic, enclosing):
                switch synthetic {
                case let .lower(original):
                    work.append(.enter(original, enclosing: enclosing, prefix: []))
                case let .leaf(kind, label, range):
                    builder.leaf(kind, label: label, range: range)
                case let .node(kind, label, range, children):
                    builder.open(kind, label: label, range: range)
                    work.append(.exit)
                    for child in children.reversed() { work.append(.synthetic(child, enclosing: enclosing)) }
                }
                continue
            case let .enter(n, e, p):
                (node, enclosing, prefix) = (n, e, p)
            }
            if !node.isNamed || rules.dropped.contains(node.type) || node.isMissing { continue }
            if prefix.isEmpty, let rewriter, let replacement = rewriter.rewrite(node) {
                work.append(.synthetic(replacement, enclosing: enclosing))
                continue
            }
            let type = node.type
            if rules.transparent.contains(type), node.namedChildCount == 1, let inner = node.namedChild(0) {
                work.append(.enter(inner, enclosing: enclosing, prefix: prefix))
                continue
            }
            if let field = rules.wrappers[type], let inner = node.child(byField: field) {
                let extras = node.namedChildren.filter { $0 != inner && !rules.dropped.contains($0.type) }
                work.append(.enter(inner, enclosing: enclosing, prefix: prefix + extras))
                continue
            }
            if rules.atoms.contains(type) {
                builder.leaf(type, label: rules.atomLabel(node), range: node.byteRange,
                             entity: entity(node, rules, enclosing))
                continue
            }
            let info = entity(node, rules, enclosing)
            var label = ""
            for child in node.children where !child.isNamed && rules.labelTokens.contains(child.type) {
                label += label.isEmpty ? child.type : " \(child.type)"
            }
            builder.open(type, label: label, range: node.byteRange, entity: info)
            work.append(.exit)
            let nextEnclosing = info?.kind ?? enclosing
            for child in node.children.reversed() {
                work.append(.enter(child, enclosing: nextEnclosing, prefix: []))
            }
            for extra in prefix.reversed() { work.append(.enter(extra, enclosing: nextEnclosing, prefix: [])) }
        }
        return builder.finish()
    }

    private static func entity(_ node: Node, _ rules: LoweringRules, _ enclosing: EntityInfo.Kind) -> EntityInfo? {
        guard let rule = rules.entities[node.type], let name = rule.name(node, enclosing) else { return nil }
        var kind = rule.kind
        if kind == .function && enclosing == .class { kind = .method }
        return EntityInfo(kind: kind, name: name)
    }
}
