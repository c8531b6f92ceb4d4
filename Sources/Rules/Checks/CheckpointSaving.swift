import Catalogue
import TreeSitterKit

/// `checkpoint-enabled`: checkpoints are saved no more than in the base. `save_checkpoint` stays False wherever
/// it is set (dataclass field, argparse default or `store_false` flag, later assignment, config keyword); in
/// records that use `save_every`, it stays 0; and no `torch.save` runs where the base's would not: a new save,
/// or one whose guard no longer depends on the switch (`if master_process and args.save_checkpoint:` loosened
/// to `if master_process:` or `... or True`). Writing a checkpoint takes time inside the run, and the
/// benchmark does not want one.
struct CheckpointSaving: Rule {
    let id = "checkpoint-enabled"
    let severity = Severity.error
    let summary = "Keep save_checkpoint False (save_every 0): save no checkpoint the base would not."

    static let saveCalls: Set<String> = ["torch.save", "safetensors.torch.save_file", "safetensors.torch.save_model",
                                         "torch.distributed.checkpoint.save", "torch.distributed.checkpoint.save_state_dict"]

    func truthy(_ node: Node, _ facts: PythonFacts) -> Bool {
        let text = node.text
        if text == "True" { return true }
        if text == "False" || text == "None" { return false }
        if let string = SettingsTable.stringValue(node) { return !string.isEmpty && !["0", "false", "False"].contains(string) }
        if let value = facts.value(of: node) { return value.double != 0 }
        return false
    }

    func check(_ context: RuleContext) -> [Finding] {
        let facts = context.submission, ss = context.submissionScript
        var findings: [Finding] = []
        let baseEvidence = { (name: String) -> [Evidence] in
            context.base.settings.settings(name).first.map { [context.base.evidence($0.site, "in the base")] } ?? []
        }
        let switchName = ss.name("save_checkpoint")
        for setting in facts.settings.settings(switchName) where truthy(setting.value, facts) {
            findings.append(Finding(rule: id, severity: severity, message: "save_checkpoint is set to `\(facts.snippet(setting.value))`",
                                    submission: [facts.evidence(setting.site, "checkpoint saving enabled")], base: baseEvidence("save_checkpoint")))
        }
        // parser.add_argument("--save_checkpoint", action="store_false"): True unless the flag is given.
        for call in facts.calls where call.name == "add_argument" && call.keywords["default"] == nil {
            guard let flag = call.positional.first.flatMap(SettingsTable.stringValue),
                  flag.trimmingCharacters(in: ["-"]).replacingOccurrences(of: "-", with: "_") == switchName,
                  call.keywords["action"].flatMap(SettingsTable.stringValue) == "store_false" else { continue }
            findings.append(Finding(rule: id, severity: severity, message: "save_checkpoint defaults to True (`action=\"store_false\"`)",
                                    submission: [facts.evidence(call.node, "checkpoint saving enabled")], base: baseEvidence("save_checkpoint")))
        }
        let everyName = ss.name("save_every")
        let baseEvery = context.base.settings.settings("save_every").contains { truthy($0.value, context.base) }
        if !baseEvery {
            for setting in facts.settings.settings(everyName) where truthy(setting.value, facts) {
                findings.append(Finding(rule: id, severity: severity, message: "save_every is set to `\(facts.snippet(setting.value))`: checkpoints are saved during training",
                                        submission: [facts.evidence(setting.site, "periodic checkpoints enabled")], base: baseEvidence("save_every")))
            }
        }
        // Saves that run with the switch off: the base's switched-off saves must stay off, and a new save of
        // model or optimizer state is a checkpoint whatever guards it (a small log dict is not).
        let running = { (script: Script, name: String) -> (on: [Node], off: [Node]) in
            let calls = script.facts.calls.filter { Self.saveCalls.contains($0.callee) }.map(\.node)
            let off = calls.filter { script.reached($0, upTo: nil, truths: [name: false]) == false }
            return (calls.filter { !off.contains($0) }, off)
        }
        let baseSaves = running(context.baseScript, "save_checkpoint"), saves = running(ss, switchName)
        let baseSwitched = Set(baseSaves.off.map { context.baseScript.canonical($0) })
        let baseRunning = Set(baseSaves.on.map { context.baseScript.canonical($0) })
        for node in saves.on {
            let text = ss.canonical(node)
            if baseSwitched.contains(text) && !baseRunning.contains(text) {
                findings.append(Finding(rule: id, severity: severity, message: "`\(facts.snippet(node))` no longer depends on save_checkpoint: the checkpoint is saved",
                                        submission: [facts.evidence(node, "checkpoint saved")],
                                        base: baseSaves.off.map { context.base.evidence($0, "saved only when save_checkpoint is True in the base") }))
            } else if !baseRunning.contains(text), checkpointLike(node, ss) {
                findings.append(Finding(rule: id, severity: severity, message: "`\(facts.snippet(node))` saves model or optimizer state: a checkpoint the base does not save",
                                        submission: [facts.evidence(node, "checkpoint saved")]))
            }
        }
        return findings
    }

    /// Whether a save call writes model or optimizer state: anything but a dictionary whose entries mention
    /// no model, optimizer, parameters or state_dict (the records save `dict(step=step, code=code)` as a log).
    func checkpointLike(_ call: Node, _ script: Script) -> Bool {
        guard let first = call.child(byField: "arguments")?.namedChildren.first(where: { $0.type != "comment" }) else { return true }
        var object = script.unwrapped(first)
        if object.type == "identifier" {
            let definitions = script.definitions(of: object.text, at: call).filter { $0.startByte < call.startByte }
            guard let last = definitions.last else { return true }
            object = script.unwrapped(last)
        }
        let isDict = object.type == "dictionary" || (object.type == "call" && object.child(byField: "function")?.text == "dict")
        guard isDict else { return true }
        return object.preorder.contains { node in
            guard node.type == "identifier" else { return false }
            let name = node.text.lowercased()
            return name.contains("state_dict") || name.contains("model") || name.contains("opt") || name.contains("param") || name.contains("weight")
        }
    }
}
