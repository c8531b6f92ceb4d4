import Catalogue
import Parsing
import SemanticDiff
import SourceModel
import TreeSitterKit

/// What the rules look at: the base record and the submission (facts and normalized trees), and the semantic
/// diff between them, from which consistent renames are known (a renamed variable is not a violation).
public final class RuleContext {
    public let base: PythonFacts
    public let submission: PythonFacts
    public let diff: SemanticDiffResult
    /// Other files of the submission (their names tell local modules apart from libraries).
    public let siblingModules: Set<String>
    /// Names the submission consistently renamed: old -> new.
    public let renames: [String: String]

    public init(base: PythonFacts, submission: PythonFacts, diff: SemanticDiffResult, siblingModules: Set<String> = []) {
        self.base = base
        self.submission = submission
        self.diff = diff
        self.siblingModules = siblingModules
        var renames: [String: String] = [:]
        for change in diff.changes {
            if change.kinds.contains(.renamed), let oldName = change.oldName {
                let last = { (name: String) in String(name.split(separator: ".").last ?? Substring(name)) }
                renames[last(oldName)] = last(change.name)
            }
            for detail in change.details where detail.kind == .identifierRenamed {
                if let old = detail.old, let new = detail.new { renames[old] = new }
            }
        }
        self.renames = renames
    }

    var old: SyntaxTree { diff.old.tree }
    var new: SyntaxTree { diff.new.tree }

    // MARK: Statements

    /// Normalized nodes of the base that are statements (their parent holds statements) satisfying `predicate`.
    func baseStatements(where predicate: (Int) -> Bool) -> [Int] {
        (0..<old.count).filter { node in
            guard let parent = old.parentOf(node), old.roles.statementContainers.contains(old.kindName(parent)) else { return false }
            return predicate(node)
        }
    }

    func submissionStatements(where predicate: (SyntaxTree, Int) -> Bool) -> [Int] {
        (0..<new.count).filter { node in
            guard let parent = new.parentOf(node), new.roles.statementContainers.contains(new.kindName(parent)) else { return false }
            return predicate(new, node)
        }
    }

    /// What became of a protected base node in the submission.
    enum Fate {
        case kept(Int)
        /// Kept, but under another parent or reordered among its siblings.
        case moved(Int)
        case changed(Int)
        case removed
    }

    func fate(of node: Int) -> Fate {
        if let target = diff.mapping.destination(of: node) {
            guard sameModuloRenames(node, target) else { return .changed(target) }
            let movedAction = diff.actions.contains { if case let .move(n, _, _) = $0 { return n == node } else { return false } }
            let parentMoved = old.parentOf(node).flatMap { diff.mapping.destination(of: $0) } != new.parentOf(target)
            return movedAction || parentMoved ? .moved(target) : .kept(target)
        }
        // Not mapped: an identical statement elsewhere still counts as kept, but moved.
        if let twin = (0..<new.count).first(where: { new.hash[$0] == old.hash[node] && new.size[$0] == old.size[node] }) {
            return .moved(twin)
        }
        return .removed
    }

    /// Whether two subtrees are the same up to the submission's consistent renames.
    func sameModuloRenames(_ a: Int, _ b: Int) -> Bool {
        guard old.size[a] == new.size[b] else { return false }
        for offset in 0..<Int(old.size[a]) {
            let x = a + offset, y = b + offset
            guard old.kindName(x) == new.kindName(y) else { return false }
            if old.label[x] != new.label[y] && renames[old.label[x]] != new.label[y] { return false }
        }
        return true
    }

    // MARK: Evidence

    func baseEvidence(_ node: Int, _ note: String) -> Evidence { base.evidence(range: old.byteRange[node], note) }
    func submissionEvidence(_ node: Int, _ note: String) -> Evidence { submission.evidence(range: new.byteRange[node], note) }

    /// The source text of a node, on one line.
    func baseText(_ node: Int) -> String { base.snippet(old.byteRange[node]) }

    /// Whether the subtree of a node mentions one of `names` (identifiers, attributes' last parts, qualified names).
    static func mentions(_ tree: SyntaxTree, _ node: Int, _ names: Set<String>) -> Bool {
        (node..<(node + Int(tree.size[node]))).contains { n in
            guard tree.roles.names.contains(tree.kindName(n)) else { return false }
            let label = tree.label[n]
            return names.contains(label) || names.contains(String(label.split(separator: ".").last ?? ""))
        }
    }
}
