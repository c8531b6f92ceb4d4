import Foundation
import Parsing
import SemanticDiff
import SourceModel
import Testing
import TestSupport

/// The lines a unified diff removes (old file) and adds (new file), one-based, skipping blank and
/// comment-only lines (they carry no semantics).
struct UnifiedDiffLines {
    var removed: [Int] = []
    var added: [Int] = []

    init(_ text: String) {
        var oldLine = 0, newLine = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("@@") {
                // @@ -a,b +c,d @@
                let parts = line.split(separator: " ")
                guard parts.count >= 3 else { continue }
                oldLine = Int(parts[1].dropFirst().split(separator: ",")[0]) ?? 0
                newLine = Int(parts[2].dropFirst().split(separator: ",")[0]) ?? 0
                continue
            }
            if line.hasPrefix("---") || line.hasPrefix("+++") || line.hasPrefix("diff ") || line.hasPrefix("index ") { continue }
            let body = line.dropFirst().trimmingCharacters(in: .whitespaces)
            let meaningful = !body.isEmpty && !body.hasPrefix("#")
            if line.hasPrefix("-") {
                if meaningful { removed.append(oldLine) }
                oldLine += 1
            } else if line.hasPrefix("+") {
                if meaningful { added.append(newLine) }
                newLine += 1
            } else {
                oldLine += 1
                newLine += 1
            }
        }
    }
}

/// The innermost entity node covering a one-based line of a lowered file (the root at module level).
func innermostEntity(_ side: DiffSide, line: Int) -> Int {
    var best = 0, bestSize = Int.max
    for node in 1..<side.tree.count where side.tree.entity[node] != nil {
        let range = side.range(of: node)
        guard range.start.line + 1 <= line, line <= range.end.line + 1 else { continue }
        let size = range.end.line - range.start.line
        if size <= bestSize {
            best = node
            bestSize = size
        }
    }
    return best
}

/// Whether the other side has an entity of the same qualified name and an identical normalized subtree:
/// then the hint touched it only by re-indenting, reformatting or moving it with its surroundings.
func unchangedElsewhere(_ node: Int, in side: DiffSide, other: DiffSide) -> Bool {
    guard node != 0 else { return false }
    let name = side.tree.qualifiedName(node), hash = side.tree.hash[node]
    return (1..<other.tree.count).contains { other.tree.entity[$0] != nil && other.tree.hash[$0] == hash
        && other.tree.qualifiedName($0) == name }
}

/// Whether the summary names entity `name` (itself, an enclosing entity, or one inside it).
func summaryNames(_ changes: [EntityChange], _ name: String) -> Bool {
    changes.contains { change in
        for candidate in [change.name] + (change.oldName.map { [$0] } ?? []) {
            if name == "" ? change.entityKind == .module || !candidate.contains(".") : false { return true }
            if candidate == name || name.hasPrefix(candidate + ".") || candidate.hasPrefix(name + ".") { return true }
        }
        return false
    }
}

@Suite(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct HintDiffTests {
    static let tasks = Array(1...20).filter { $0 != 6 }

    func diffTask(_ n: Int) throws -> (SemanticDiffResult, UnifiedDiffLines) {
        let old = try String(contentsOf: Corpus.record(n), encoding: .utf8)
        let new = try String(contentsOf: Corpus.record(n + 1), encoding: .utf8)
        let hint = try String(contentsOf: Corpus.root.appendingPathComponent("llm-speedrunner/hints/record_\(n)/level_0_diff.txt"),
                              encoding: .utf8)
        return (try semanticDiff(old, new), UnifiedDiffLines(hint))
    }

    @Test(arguments: tasks)
    func summaryNamesEveryEntityTheHintTouches(task: Int) throws {
        let (result, hint) = try diffTask(task)
        var touched = Set<String>(), unchanged = Set<String>()
        for (lines, side, other) in [(hint.removed, result.old, result.new), (hint.added, result.new, result.old)] {
            for line in lines {
                let node = innermostEntity(side, line: line)
                if unchangedElsewhere(node, in: side, other: other) {
                    unchanged.insert(side.tree.qualifiedName(node))
                } else {
                    touched.insert(side.tree.qualifiedName(node))
                }
            }
        }
        let missing = touched.filter { !summaryNames(result.changes, $0) }.sorted()
        #expect(missing.isEmpty, "task \(task): hint touches \(missing) but the summary says \(result.lines)")
        #expect(touched.count > unchanged.count, "most of what a hint touches changes semantically")
        #expect(!result.changes.isEmpty)
    }

    @Test func task6IsEmpty() throws {
        let a = try String(contentsOf: Corpus.record(6), encoding: .utf8)
        let b = try String(contentsOf: Corpus.record(7), encoding: .utf8)
        #expect(try semanticDiff(a, b).changes.isEmpty)
    }

    @Test(arguments: Corpus.recordNumbers)
    func selfDiffIsEmpty(record: Int) throws {
        let text = try String(contentsOf: Corpus.record(record), encoding: .utf8)
        let result = try semanticDiff(text, text)
        #expect(result.changes.isEmpty && result.actions.isEmpty)
    }

    // Checked by hand against the hint diffs.

    @Test func task1AddsRotaryAndChangesTheSchedule() throws {
        let (result, _) = try diffTask(1)
        #expect(result.lines.contains("added class Rotary"))
        #expect(result.lines.contains("added function apply_rotary_emb"))
        let attention = try #require(result.changes.first { $0.name == "CausalSelfAttention.forward" })
        #expect(attention.details.contains { $0.new?.contains("apply_rotary_emb") == true })
    }

    @Test func task2AddsTheOrthogonalOptimizer() throws {
        let (result, _) = try diffTask(2)
        #expect(result.lines.contains("added class OrthogonalNesterov"))
        #expect(result.lines.contains("added function zeroth_power_via_newtonschulz5"))
        #expect(result.lines.contains("added class CombinedOptimizer"))
    }

    @Test func task4ReluSquaredIsAModifiedForward() throws {
        let (result, _) = try diffTask(4)
        let mlp = try #require(result.changes.first { $0.name == "MLP.forward" })
        #expect(mlp.kind == .modified)
        #expect(mlp.details.contains { ($0.new ?? "").contains("relu") })
    }

    @Test func task17SoftcapValue() throws {
        let (result, _) = try diffTask(17)
        let forward = try #require(result.changes.first { $0.name == "GPT.forward" })
        #expect(forward.details.contains { $0.old?.contains("30 * torch.tanh(logits / 30)") == true
            && $0.new?.contains("15 * torch.tanh(logits / 15)") == true })
        // Record 17 sets val_tokens twice in Hyperparameters; record 18 drops the second, typed one.
        let removed = try #require(result.changes.first { $0.kind == .removed && $0.name == "Hyperparameters.val_tokens" })
        #expect(removed.oldRange?.start.line == 429)
    }
}
