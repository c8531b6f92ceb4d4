import Engine
import Parsing
import SemanticDiff
import SourceModel

/// The `srlens.diff/1` JSON document (docs/json-diff.md).
struct DiffDocument: Encodable {
    let schema = "srlens.diff/1"
    let tool = ParseDocument.ToolInfo()
    let old: FileInfo
    let new: FileInfo
    let normalization: [String]
    let notes: [String]
    let summary: Counts
    let changes: [EntityChange]
    let editScript: [ActionEntry]?
    /// CUDA techniques gained and lost per kernel (only when a side holds CUDA).
    var kernelTechniques: [KernelTechniqueChange]?

    struct FileInfo: Encodable {
        let path: String
        let nodes: Int
    }

    struct Counts: Encodable {
        var added = 0, removed = 0, renamed = 0, moved = 0, modified = 0
        var insert = 0, delete = 0, update = 0, move = 0
    }

    /// One edit action with the nodes it touches described in words and ranges.
    struct ActionEntry: Encodable {
        let op: String
        let kind: String
        let label: String?
        let oldRange: SourceRange?
        let newRange: SourceRange?
        let to: String?
        let parentKind: String?
        let position: Int?
    }

    init(_ result: SemanticDiffResult, normalization: NormalizationOptions, includeEditScript: Bool) {
        old = FileInfo(path: result.old.path, nodes: result.old.tree.count)
        new = FileInfo(path: result.new.path, nodes: result.new.tree.count)
        self.normalization = normalization.names
        notes = result.notes
        changes = result.changes
        var counts = Counts()
        for change in result.changes {
            switch change.kind {
            case .added: counts.added += 1
            case .removed: counts.removed += 1
            case .renamed: counts.renamed += 1
            case .moved: counts.moved += 1
            case .modified: counts.modified += 1
            }
        }
        for action in result.actions {
            switch action {
            case .insert: counts.insert += 1
            case .delete: counts.delete += 1
            case .update: counts.update += 1
            case .move: counts.move += 1
            }
        }
        summary = counts
        editScript = includeEditScript ? result.actions.map { Self.entry($0, result) } : nil
    }

    static func entry(_ action: EditAction, _ r: SemanticDiffResult) -> ActionEntry {
        let src = r.old.tree, dst = r.new.tree
        func label(_ tree: SyntaxTree, _ n: Int) -> String? { tree.label[n].isEmpty ? nil : tree.label[n] }
        switch action {
        case let .insert(node, parent, position):
            return ActionEntry(op: "insert", kind: dst.kindName(node), label: label(dst, node), oldRange: nil,
                               newRange: r.new.range(of: node), to: nil,
                               parentKind: parent >= 0 ? dst.kindName(parent) : nil, position: position)
        case let .delete(node):
            return ActionEntry(op: "delete", kind: src.kindName(node), label: label(src, node),
                               oldRange: r.old.range(of: node), newRange: nil, to: nil, parentKind: nil, position: nil)
        case let .update(node, from, to):
            return ActionEntry(op: "update", kind: src.kindName(node), label: from, oldRange: r.old.range(of: node),
                               newRange: r.mapping.destination(of: node).map { r.new.range(of: $0) }, to: to,
                               parentKind: nil, position: nil)
        case let .move(node, parent, position):
            return ActionEntry(op: "move", kind: src.kindName(node), label: label(src, node),
                               oldRange: r.old.range(of: node),
                               newRange: r.mapping.destination(of: node).map { r.new.range(of: $0) }, to: nil,
                               parentKind: dst.kindName(parent), position: position)
        }
    }
}
