import Catalogue
import SourceModel

/// `print0-changed`: every `print0` call of the base stays, with the same arguments (the log is what the
/// benchmark parses). Adding new `print0` calls is allowed, and so is moving one. Changing or removing a call
/// that prints the metrics the benchmark reads (validation loss, training time, step lines, peak memory) is an
/// error; changing another one (a banner, the environment dump) is a warning.
struct Print0Statements: Rule {
    let id = "print0-changed"
    let severity = Severity.error
    let summary = "Keep every print0 statement of the base and its arguments; new ones may be added."

    static let metricNames: Set<String> = ["val_loss", "train_time", "training_time_ms", "approx_time", "train_loss",
                                           "step_avg", "max_memory_allocated", "timed_steps"]

    /// Whether a print0 call prints what the benchmark parses: names of metrics in its arguments, or metric
    /// keys in its (f-)strings (`val_loss:`, `train_time:`, `step_avg:`, `peak memory`).
    func printsMetrics(_ tree: SyntaxTree, _ node: Int) -> Bool {
        if RuleContext.mentions(tree, node, Self.metricNames) { return true }
        return (node..<(node + Int(tree.size[node]))).contains { n in
            tree.roles.literals.contains(tree.kindName(n)) && ["val_loss", "train_time", "step_avg", "peak memory"].contains { tree.label[n].contains($0) }
        }
    }

    func check(_ context: RuleContext) -> [Finding] {
        var findings: [Finding] = []
        for node in context.baseStatements(where: { context.old.callee($0) == "print0" }) {
            let text = context.baseText(node)
            let level: Severity = printsMetrics(context.old, node) ? .error : .warning
            switch context.fate(of: node) {
            case .kept, .moved:
                continue
            case .changed(let target):
                findings.append(Finding(rule: id, severity: level, message: "the print0 statement `\(text)` was changed",
                                        submission: [context.submissionEvidence(target, "changed to this")],
                                        base: [context.baseEvidence(node, "in the base")]))
            case .removed:
                findings.append(Finding(rule: id, severity: level, message: "the print0 statement `\(text)` was removed",
                                        base: [context.baseEvidence(node, "removed from the submission")]))
            }
        }
        return findings
    }
}
