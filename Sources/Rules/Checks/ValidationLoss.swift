import Catalogue
import Parsing
import SourceModel
import TreeSitterKit

/// `validation-changed`: the validation loss is computed as in the base:
///
/// - the number of validation steps is still derived from `val_tokens` (divided by the tokens of a batch);
/// - the validation data still comes from the validation files (`val_files` / `input_val_bin` / ...);
/// - the loss is still accumulated (`val_loss += ...`) and averaged the way the base averages it (a division
///   by the step count, an all-reduce average); nothing else rescales it (`val_loss *= 0.9`, a new division).
struct ValidationLoss: Rule {
    let id = "validation-changed"
    let severity = Severity.error
    let summary = "Compute the validation loss as the base does: as many batches as val_tokens implies, from the validation files, averaged the same way."

    static let valFiles: Set<String> = ["val_files", "input_val_bin", "val_bin"]

    struct Shape {
        var sizedByValTokens: [Node] = []
        var readsValFiles: [Node] = []
        var accumulations: [Node] = []
        /// Other updates of val_loss: divisions, scalings, reassignments (by their operator).
        var updates: [String: [Node]] = [:]
    }

    func shape(_ facts: PythonFacts, renames: [String: String] = [:]) -> Shape {
        var shape = Shape()
        let valLoss = renames["val_loss"] ?? "val_loss"
        for node in facts.nodes {
            switch node.type {
            case "binary_operator":
                let op = node.child(byField: "operator")?.type
                if op == "//" || op == "/", let left = node.child(byField: "left"), mentions(left, "val_tokens") { shape.sizedByValTokens.append(node) }
            case "call":
                if node.child(byField: "arguments").map({ args in Self.valFiles.contains { mentions(args, $0) } }) == true { shape.readsValFiles.append(node) }
            case "augmented_assignment":
                guard let left = node.child(byField: "left"), SettingsTable.bareName(of: left) == valLoss,
                      let op = node.child(byField: "operator")?.type else { continue }
                if op == "+=" { shape.accumulations.append(node) } else { shape.updates[op, default: []].append(node) }
            case "assignment":
                guard let left = node.child(byField: "left"), SettingsTable.bareName(of: left) == valLoss,
                      let right = node.child(byField: "right"), right.type == "binary_operator",
                      mentions(right.child(byField: "left") ?? right, valLoss) else { continue }
                shape.updates[right.child(byField: "operator")?.type ?? "=", default: []].append(node)
            default:
                continue
            }
        }
        return shape
    }

    func mentions(_ node: Node, _ name: String) -> Bool {
        node.preorder.contains { $0.type == "identifier" && $0.text == name }
    }

    func check(_ context: RuleContext) -> [Finding] {
        let base = shape(context.base), submission = shape(context.submission, renames: context.renames)
        var findings: [Finding] = []
        if !base.sizedByValTokens.isEmpty && submission.sizedByValTokens.isEmpty {
            findings.append(Finding(rule: id, severity: .error, message: "the number of validation steps no longer comes from val_tokens",
                                    base: base.sizedByValTokens.map { context.base.evidence($0, "derived from val_tokens in the base") }))
        }
        if !base.readsValFiles.isEmpty && submission.readsValFiles.isEmpty {
            findings.append(Finding(rule: id, severity: .error, message: "the validation data no longer comes from the validation files",
                                    base: base.readsValFiles.map { context.base.evidence($0, "validation loader in the base") }))
        }
        if !base.accumulations.isEmpty && submission.accumulations.isEmpty {
            findings.append(Finding(rule: id, severity: .error, message: "the validation loss is no longer accumulated over validation batches",
                                    base: base.accumulations.map { context.base.evidence($0, "in the base") }))
        }
        for (op, nodes) in submission.updates where (base.updates[op]?.count ?? 0) < nodes.count {
            let extra = nodes[(base.updates[op]?.count ?? 0)...]
            for node in extra {
                findings.append(Finding(rule: id, severity: .error, message: "the validation loss is rescaled: `\(context.submission.snippet(node))`",
                                        submission: [context.submission.evidence(node, "new update of the validation loss")],
                                        base: (base.updates[op] ?? []).map { context.base.evidence($0, "the base's update") }))
            }
        }
        for (op, nodes) in base.updates where (submission.updates[op]?.count ?? 0) < nodes.count {
            findings.append(Finding(rule: id, severity: .error, message: "the validation loss is no longer averaged as in the base (`\(context.base.snippet(nodes[0]))` is gone)",
                                    base: nodes.map { context.base.evidence($0, "in the base") }))
        }
        return findings
    }
}
