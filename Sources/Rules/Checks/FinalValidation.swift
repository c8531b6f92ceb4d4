import Catalogue
import SourceModel
import TreeSitterKit

/// `final-validation-skipped`: validation still runs at the last step, the last step is still the planned
/// number of iterations, and the training loop gains no new way out (`break`, `return`, `sys.exit`).
struct FinalValidation: Rule {
    let id = "final-validation-skipped"
    let severity = Severity.error
    let summary = "Validate at the last step as the base does; add no new way out of the training loop."

    /// `if` statements whose condition names `last_step` and whose body computes the validation loss.
    func validationConditions(_ facts: PythonFacts, lastStep: String) -> [Node] {
        facts.nodes.filter { node in
            guard node.type == "if_statement", let condition = node.child(byField: "condition"),
                  condition.preorder.contains(where: { $0.type == "identifier" && $0.text == lastStep }) else { return false }
            return node.preorder.contains { $0.type == "identifier" && ($0.text == "val_loss" || $0.text == "val_steps") }
        }
    }

    /// Assignments `last_step = (step == N)`.
    func lastStepDefinitions(_ facts: PythonFacts, lastStep: String) -> [Node] {
        facts.nodes.filter { node in
            node.type == "assignment" && node.child(byField: "left")?.text == lastStep
                && node.child(byField: "right").map { right in right.preorder.contains { $0.type == "comparison_operator" } } == true
        }
    }

    func check(_ context: RuleContext) -> [Finding] {
        var findings: [Finding] = []
        let lastStep = context.renames["last_step"] ?? "last_step"
        let baseConditions = validationConditions(context.base, lastStep: "last_step")
        if !baseConditions.isEmpty && validationConditions(context.submission, lastStep: lastStep).isEmpty {
            findings.append(Finding(rule: id, severity: .error, message: "validation no longer runs at the last step",
                                    base: baseConditions.map { context.base.evidence($0, "validation at the last step in the base") }))
        }
        let baseDefinitions = lastStepDefinitions(context.base, lastStep: "last_step")
        let definitions = lastStepDefinitions(context.submission, lastStep: lastStep)
        if !baseDefinitions.isEmpty && definitions.isEmpty {
            findings.append(Finding(rule: id, severity: .error, message: "the last step is no longer defined as the final iteration",
                                    base: baseDefinitions.map { context.base.evidence($0, "in the base") }))
        }
        // New exits inside the training loop (a top-level `for`/`while` whose body calls backward).
        let loops = context.submission.nodes.filter { loop in
            (loop.type == "for_statement" || loop.type == "while_statement")
                && context.submission.enclosingFunction(loop) == nil
                && context.submission.calls.contains { call in call.name == "backward" && loop.byteRange.contains(call.node.startByte) }
        }
        let baseExits = Set(exits(in: context.base).map { exitKey($0, context.base) })
        for loop in loops {
            for exit in exits(in: context.submission) where loop.byteRange.contains(exit.startByte) {
                guard !baseExits.contains(exitKey(exit, context.submission)) else { continue }
                findings.append(Finding(rule: id, severity: .error, message: "a new exit `\(context.submission.snippet(exit))` leaves the training loop",
                                        submission: [context.submission.evidence(exit, "new loop exit")]))
            }
        }
        return findings
    }

    /// What identifies an exit: its guarding condition (renames aside), or the call.
    func exitKey(_ node: Node, _ facts: PythonFacts) -> String {
        if node.type == "if_statement", let condition = node.child(byField: "condition") { return "if " + facts.compact(condition) }
        return facts.compact(node)
    }

    /// `break` and `return` statements with their guarding `if`, and calls to sys.exit/exit/quit, outside functions.
    func exits(in facts: PythonFacts) -> [Node] {
        var result: [Node] = []
        for node in facts.nodes where node.type == "break_statement" || node.type == "return_statement" {
            guard facts.enclosingFunction(node) == nil else { continue }
            var guarded = node.parent
            while let g = guarded, g.type != "if_statement", g.type != "for_statement", g.type != "while_statement" { guarded = g.parent }
            result.append(guarded?.type == "if_statement" ? guarded! : node)
        }
        for call in facts.calls where ["sys.exit", "exit", "quit", "os._exit"].contains(call.callee) && facts.enclosingFunction(call.node) == nil {
            result.append(call.node)
        }
        return result
    }
}
