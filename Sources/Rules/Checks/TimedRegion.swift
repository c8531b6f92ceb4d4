import Catalogue
import Parsing
import SourceModel
import TreeSitterKit

/// `timed-region-changed`: training time is measured as in the base.
///
/// - every accumulation into the training-time counter adds `1000 * (clock() - t0)`: milliseconds of a wall
///   clock, nothing scaled or subtracted;
/// - every timer read (a start `t0 = clock()` or an accumulation) is right after a `torch.cuda.synchronize()`
///   in the same block, when the base does so;
/// - the training loop pauses the timer no more often than the base (each pause excludes time);
/// - the warm-up steps excluded at the start (`if step == 10: training_time_ms = 0`) are not more than in the base;
/// - no more backward passes run before the timer first starts than in the base (warning).
struct TimedRegion: Rule {
    let id = "timed-region-changed"
    let severity = Severity.error
    let summary = "Time training as the base does: same clock and scale, synchronized timer reads, no more pauses, no untimed training."

    static let counters: Set<String> = ["training_time_ms", "train_time_ms", "training_time"]
    static let clocks: Set<String> = ["time.time", "time.perf_counter", "time.monotonic", "time.perf_counter_ns", "time.time_ns"]

    struct Timing {
        var accumulations: [Node] = []
        var starts: [Node] = []
        var unsynchronized: [Node] = []
        var resetThresholds: [Double] = []
    }

    func timing(_ facts: PythonFacts) -> Timing {
        var timing = Timing()
        for node in facts.nodes where node.type == "augmented_assignment" || node.type == "assignment" {
            guard let left = node.child(byField: "left"), let right = node.child(byField: "right"),
                  let name = SettingsTable.bareName(of: left), facts.enclosingFunction(node) == nil else { continue }
            let readsClock = right.preorder.contains { $0.type == "call" && $0.child(byField: "function").flatMap { facts.imports.qualifiedName(of: $0) }.map(Self.clocks.contains) == true }
            if Self.counters.contains(name) && node.type == "augmented_assignment" {
                timing.accumulations.append(node)
            } else if name == "t0" && readsClock {
                timing.starts.append(node)
            } else if Self.counters.contains(name), right.text == "0" {
                // A reset: the condition that guards it says how many warm-up steps are excluded.
                var current = node.parent
                while let c = current, c.type != "if_statement" { current = c.parent }
                if let condition = current?.child(byField: "condition") {
                    timing.resetThresholds += condition.preorder.filter { $0.type == "integer" }.compactMap { Double($0.text) }
                }
            }
            if readsClock && !synchronizedBefore(node, facts) { timing.unsynchronized.append(node) }
        }
        return timing
    }

    /// Whether the statement before `node` in its block calls torch.cuda.synchronize().
    func synchronizedBefore(_ node: Node, _ facts: PythonFacts) -> Bool {
        var statement = node
        if let parent = node.parent, parent.type == "expression_statement" { statement = parent }
        var previous = statement.previousSibling
        while let p = previous, !p.isNamed || p.type == "comment" { previous = p.previousSibling }
        guard let previous else { return false }
        return previous.preorder.contains { $0.type == "call" && $0.child(byField: "function").flatMap { facts.imports.qualifiedName(of: $0) } == "torch.cuda.synchronize" }
    }

    /// Whether an accumulation adds exactly 1000 x (clock - t0).
    func isMilliseconds(_ node: Node, _ facts: PythonFacts) -> Bool {
        guard let right = node.child(byField: "right"), right.type == "binary_operator",
              right.child(byField: "operator")?.type == "*",
              let left = right.child(byField: "left"), let other = right.child(byField: "right") else { return false }
        let (scale, elapsed) = facts.value(of: left) != nil ? (left, other) : (other, left)
        guard facts.value(of: scale).map({ abs($0.double - 1000) < 1e-9 }) == true else { return false }
        var inner = elapsed
        while inner.type == "parenthesized_expression", let child = inner.namedChild(0) { inner = child }
        return inner.type == "binary_operator" && inner.child(byField: "operator")?.type == "-"
            && inner.child(byField: "right")?.text == "t0"
    }

    /// Each pause (an accumulation) with the next timer start after it.
    func pauses(_ timing: Timing) -> [(Node, Node)] {
        timing.accumulations.compactMap { pause in
            timing.starts.filter { $0.startByte > pause.endByte }.min { $0.startByte < $1.startByte }.map { (pause, $0) }
        }
    }

    /// A backward pass or an optimizer step.
    func isTrainingWork(_ call: CallSite) -> Bool {
        call.name == "backward" || (call.name == "step" && call.receiver.map { $0.text.lowercased().contains("opt") } == true)
    }

    func check(_ context: RuleContext) -> [Finding] {
        let base = timing(context.base), submission = timing(context.submission)
        var findings: [Finding] = []
        let baseScalesRight = base.accumulations.allSatisfy { isMilliseconds($0, context.base) }
        for node in submission.accumulations where baseScalesRight && !isMilliseconds(node, context.submission) {
            findings.append(Finding(rule: id, severity: .error, message: "training time is accumulated as `\(context.submission.snippet(node))`, not as 1000 x (clock - t0)",
                                    submission: [context.submission.evidence(node, "time scaled or excluded")],
                                    base: base.accumulations.first.map { [context.base.evidence($0, "in the base")] } ?? []))
        }
        // A pause read without a synchronize leaves queued GPU work out of the measured time.
        let unsynchronizedPauses = { (t: Timing) in t.unsynchronized.filter { n in t.accumulations.contains(n) } }
        if unsynchronizedPauses(base).isEmpty {
            for node in unsynchronizedPauses(submission) {
                findings.append(Finding(rule: id, severity: .error, message: "the timer is read without torch.cuda.synchronize() right before it: `\(context.submission.snippet(node))`",
                                        submission: [context.submission.evidence(node, "unsynchronized timer read")]))
            }
        }
        // While the timer is paused (from an accumulation to the next start), no training work may run.
        for (pause, restart) in pauses(submission) {
            let untimed = pause.endByte..<restart.startByte
            if let work = context.submission.calls.first(where: { untimed.contains($0.node.startByte) && isTrainingWork($0) }) {
                findings.append(Finding(rule: id, severity: .error,
                                        message: "`\(context.submission.snippet(work.node))` runs while the timer is paused",
                                        submission: [context.submission.evidence(work.node, "untimed training work"),
                                                     context.submission.evidence(pause, "timer paused here"),
                                                     context.submission.evidence(restart, "restarted here")]))
            }
        }
        if let baseWarmup = base.resetThresholds.max(), let warmup = submission.resetThresholds.max(), warmup > baseWarmup {
            findings.append(Finding(rule: id, severity: .error, message: "the timer restarts after step \(Int(warmup)) instead of \(Int(baseWarmup)): more steps go untimed"))
        }
        let before = { (facts: PythonFacts, start: Node?) -> Int in
            guard let start = start?.startByte else { return 0 }
            return facts.calls.filter { $0.name == "backward" && $0.node.startByte < start && facts.enclosingFunction($0.node) == nil }.count
        }
        let baseCount = before(context.base, base.starts.first), submissionCount = before(context.submission, submission.starts.first)
        if submissionCount > baseCount, let first = context.submission.calls.first(where: { $0.name == "backward" }) {
            findings.append(Finding(rule: id, severity: .warning,
                                    message: "\(submissionCount) backward pass(es) run before the timer first starts (the base has \(baseCount))",
                                    submission: [context.submission.evidence(first.node, "training work outside the timed region")]))
        }
        return findings
    }
}
