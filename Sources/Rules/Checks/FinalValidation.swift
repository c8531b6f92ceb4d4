import Catalogue
import TreeSitterKit

/// `final-validation-skipped`: the run still ends with a validation at its last step, reached the same way.
///
/// - `last_step` (under any name) is still defined as in the base (`step == args.num_iterations`; a new number
///   of iterations is fine, a new condition is not);
/// - the training loop still runs to that step (same range or loop condition);
/// - the validation (the accumulation of the loss, or the helper that computes it) is still reached when
///   `last_step` is true: the conditions around it are evaluated with `last_step = True`;
/// - the training loop gains no new way out: a `break`, `return`, `raise`, `sys.exit()` under a condition
///   the base does not exit on (a fake target, a step count, a time budget).
struct FinalValidation: Rule {
    let id = "final-validation-skipped"
    let severity = Severity.error
    let summary = "Validate at the last step as the base does; add no new way out of the training loop."

    /// `last_step = (step == N)` assignments.
    func lastStepDefinitions(_ script: Script, name: String) -> [Node] {
        script.facts.nodes(ofType: "assignment").filter { node in
            node.child(byField: "left").map { $0.type == "identifier" && $0.text == name } == true
        }
    }

    /// The training loop: the loop around the `last_step` definition, else the outermost loop whose body
    /// (directly or through local functions) runs a backward pass.
    func trainingLoop(_ script: Script, lastStep: String) -> Node? {
        if let definition = lastStepDefinitions(script, name: lastStep).first, let loop = script.enclosingLoop(definition) { return loop }
        let loops = script.facts.nodes(ofType: ["for_statement", "while_statement"])
        return loops.first { loop in script.reachableCalls(from: loop).contains { $0.name == "backward" } }
    }

    /// The loop's header: its range or condition.
    func header(_ loop: Node, _ script: Script) -> (text: String, node: Node)? {
        if loop.type == "for_statement", let right = loop.child(byField: "right") { return (script.canonical(right), right) }
        if let condition = loop.child(byField: "condition") { return (script.canonical(condition), condition) }
        return nil
    }

    /// Ways out of a loop: `break`s of that loop, and `return`, `raise`, exit calls anywhere in its body (not
    /// in functions defined there).
    func exits(_ loop: Node, _ script: Script) -> [Node] {
        var result: [Node] = []
        for node in loop.preorder where node != loop {
            switch node.type {
            case "break_statement":
                if script.enclosingLoop(node) == loop { result.append(node) }
            case "return_statement", "raise_statement":
                if script.functionNode(around: node) == script.functionNode(around: loop) { result.append(node) }
            default:
                continue
            }
        }
        for call in script.facts.calls where loop.byteRange.contains(call.node.startByte) {
            if ["sys.exit", "exit", "quit", "os._exit", "os.abort"].contains(call.callee),
               script.functionNode(around: call.node) == script.functionNode(around: loop) { result.append(call.node) }
        }
        return result.sorted { $0.startByte < $1.startByte }
    }

    /// The conditions under which an exit is taken, canonical.
    func exitKey(_ exit: Node, loop: Node, _ script: Script) -> String {
        script.guards(exit, upTo: loop).map { ($0.negated ? "not " : "") + script.canonical($0.condition) }.joined(separator: " & ")
            + " => " + exit.type
    }

    func check(_ context: RuleContext) -> [Finding] {
        let bs = context.baseScript, ss = context.submissionScript
        let lastStep = context.submissionLastStep
        var findings: [Finding] = []
        func finding(_ message: String, _ node: Node?, _ note: String, base: [Node]) {
            findings.append(Finding(rule: id, severity: severity, message: message,
                                    submission: node.map { [context.submission.evidence($0, note)] } ?? [],
                                    base: base.map { context.base.evidence($0, "in the base") }))
        }
        // last_step keeps its meaning.
        let baseDefinitions = lastStepDefinitions(bs, name: "last_step")
        let baseValues = Set(baseDefinitions.compactMap { $0.child(byField: "right").map(bs.canonical) })
        for definition in lastStepDefinitions(ss, name: lastStep) where !baseValues.isEmpty {
            guard let right = definition.child(byField: "right"), !baseValues.contains(ss.canonical(right)) else { continue }
            finding("`\(lastStep)` is redefined as `\(context.submission.snippet(right))`: the last step is no longer the final iteration",
                    definition, "last step redefined", base: baseDefinitions)
        }
        guard let baseLoop = trainingLoop(bs, lastStep: "last_step") else { return findings }
        let loop = trainingLoop(ss, lastStep: lastStep)
        // The loop still reaches the last step.
        if let loop, let baseHeader = header(baseLoop, bs), let submissionHeader = header(loop, ss), baseHeader.text != submissionHeader.text {
            finding("the training loop runs over `\(context.submission.snippet(submissionHeader.node))` instead of `\(context.base.snippet(baseHeader.node))`: it may stop before the last step",
                    submissionHeader.node, "loop range changed", base: [baseHeader.node])
        }
        // Validation is reached at the last step.
        let equivalents = baseValues
        let status = { (script: Script, model: ValidationModel, loop: Node?, flag: String) -> Bool? in
            var best: Bool? = false
            for site in model.sites {
                guard let loop, loop.byteRange.contains(site.startByte) else {
                    // After the training loop: a final validation.
                    if let loop, site.startByte >= loop.endByte { return true }
                    continue
                }
                switch script.reached(site, upTo: loop, truths: [flag: true], equivalents: equivalents) {
                case true?: return true
                case nil: best = nil
                case false?: continue
                }
            }
            return best
        }
        let baseModel = bs.validationModel(lossName: "val_loss"), model = ss.validationModel(lossName: context.submissionValLoss)
        if !baseModel.sites.isEmpty {
            let baseStatus = status(bs, baseModel, baseLoop, "last_step"), submissionStatus = status(ss, model, loop, lastStep)
            if (baseStatus == true && submissionStatus != true) || (baseStatus == nil && submissionStatus == false) {
                let site = model.sites.first
                let condition = site.flatMap { ss.guards($0, upTo: loop).first?.condition }
                finding("validation no longer runs at the last step" + (condition.map { ": it is guarded by `\(context.submission.snippet($0))`" } ?? ""),
                        condition ?? site, "validation", base: baseModel.sites)
            }
        }
        // At the last step, nothing leaves the iteration before the validation runs.
        if let loop {
            let quits = { (script: Script, loop: Node, model: ValidationModel, flag: String) -> [Node] in
                guard let site = model.sites.filter({ loop.byteRange.contains($0.startByte) }).min(by: { $0.startByte < $1.startByte }) else { return [] }
                let stops = self.exits(loop, script) + loop.preorder.filter { $0.type == "continue_statement" && script.enclosingLoop($0) == loop }
                // Taken, or maybe taken, at the last step.
                return stops.filter { $0.startByte < site.startByte && script.reached($0, upTo: loop, truths: [flag: true], equivalents: equivalents) != false }
            }
            if quits(bs, baseLoop, baseModel, "last_step").isEmpty {
                for quit in quits(ss, loop, model, lastStep) {
                    let statement = ss.guards(quit, upTo: loop).first?.condition.parent ?? quit
                    finding("at the last step the loop leaves the iteration (`\(context.submission.snippet(statement))`) before the validation runs",
                            statement, "exit before the final validation", base: baseModel.sites)
                }
            }
        }
        // No new exit from the training loop.
        if let loop {
            var baseKeys = exits(baseLoop, bs).map { exitKey($0, loop: baseLoop, bs) }
            for exit in exits(loop, ss) {
                let key = exitKey(exit, loop: loop, ss)
                if let index = baseKeys.firstIndex(of: key) { baseKeys.remove(at: index); continue }
                let guardNode = ss.guards(exit, upTo: loop).first?.condition
                let statement = guardNode.flatMap { $0.parent } ?? exit
                finding("a new exit leaves the training loop: `\(context.submission.snippet(statement))`" + (guardNode.map { " (when `\(context.submission.snippet($0))`)" } ?? ""),
                        statement, "new loop exit", base: exits(baseLoop, bs).map { bs.guards($0, upTo: baseLoop).first?.condition.parent ?? $0 })
            }
        }
        return findings
    }
}
