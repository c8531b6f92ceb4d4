import SemanticDiff
import SourceModel

/// The readable `srlens diff` report: one line per changed entity, then the details of each.
enum DiffText {
    static func render(_ result: SemanticDiffResult, terminal t: Terminal, editScript: Bool) -> String {
        var out: [String] = []
        let oldName = result.old.path, newName = result.new.path
        out.append(t.bold("\(oldName) -> \(newName)"))
        if result.changes.isEmpty {
            out.append("no semantic change")
        }
        for change in result.changes {
            out.append(entityLine(change, t))
        }
        let detailed = result.changes.filter { !$0.details.isEmpty }
        if !detailed.isEmpty {
            out.append("")
            out.append(t.bold("details"))
            for change in detailed {
                out.append("  \(displayName(change)) \(t.dim(lines(change)))")
                for detail in change.details { out.append("    " + detailLine(detail, t)) }
            }
        }
        for note in result.notes { out.append(t.yellow("note: \(note)")) }
        if editScript {
            out.append("")
            out.append(t.bold("edit script (\(result.actions.count) action\(result.actions.count == 1 ? "" : "s"))"))
            for action in result.actions { out.append("  " + actionLine(action, result)) }
        }
        return out.joined(separator: "\n")
    }

    static func displayName(_ change: EntityChange) -> String {
        change.entityKind == .module ? "(module level)" : change.name
    }

    static func lines(_ change: EntityChange) -> String {
        func span(_ r: SourceRange) -> String {
            r.start.line == r.end.line ? "\(r.start.line + 1)" : "\(r.start.line + 1)-\(r.end.line + 1)"
        }
        switch (change.oldRange, change.newRange) {
        case let (o?, n?): return "lines \(span(o)) -> \(span(n))"
        case let (o?, nil): return "old lines \(span(o))"
        case let (nil, n?): return "new lines \(span(n))"
        default: return ""
        }
    }

    static func entityLine(_ change: EntityChange, _ t: Terminal) -> String {
        let sign: String
        switch change.kind {
        case .added: sign = t.green("+")
        case .removed: sign = t.red("-")
        default: sign = t.yellow("~")
        }
        var words = change.kinds.map(\.rawValue).joined(separator: ", ")
        if let oldName = change.oldName { words += " (was \(oldName))" }
        if change.entityKind == .assignment, let value = change.details.first(where: { $0.kind == .valueChanged }),
           let o = value.old, let n = value.new {
            words += ": \(o) -> \(n)"
        }
        return "  \(sign) \(change.entityKind.rawValue) \(t.bold(displayName(change))) \(words) \(t.dim(lines(change)))"
    }

    static func detailLine(_ d: ChangeDetail, _ t: Terminal) -> String {
        let what = d.kind.rawValue.replacingOccurrences(of: "_", with: " ")
        var text: String
        switch (d.old, d.new) {
        case let (o?, n?): text = "\(what): \(t.red(o)) -> \(t.green(n))"
        case let (o?, nil): text = "\(what): \(t.red(o))"
        case let (nil, n?): text = "\(what): \(t.green(n))"
        default: text = what
        }
        if d.count > 1 { text += " (\(d.count) times)" }
        if let line = d.newRange?.start.line ?? d.oldRange?.start.line {
            text += t.dim(d.newRange != nil ? "  line \(line + 1)" : "  old line \(line + 1)")
        }
        return text
    }

    /// A node's kind, and its label when it has one.
    static func describe(_ tree: SyntaxTree, _ node: Int) -> String {
        tree.label[node].isEmpty ? tree.kindName(node) : "\(tree.kindName(node)) \(tree.label[node])"
    }

    static func actionLine(_ action: EditAction, _ r: SemanticDiffResult) -> String {
        let src = r.old.tree, dst = r.new.tree
        func at(_ side: DiffSide, _ n: Int) -> String { "\(side.range(of: n).start)" }
        switch action {
        case let .insert(node, parent, position):
            let p = parent >= 0 ? dst.kindName(parent) : "root"
            return "insert \(describe(dst, node)) at new \(at(r.new, node)) into \(p)[\(position)]"
        case let .delete(node):
            return "delete \(describe(src, node)) at old \(at(r.old, node))"
        case let .update(node, from, to):
            return "update \(src.kindName(node)) \(from) -> \(to) at old \(at(r.old, node))"
        case let .move(node, parent, position):
            return "move \(src.kindName(node)) at old \(at(r.old, node)) into \(dst.kindName(parent))[\(position)]"
        }
    }
}
