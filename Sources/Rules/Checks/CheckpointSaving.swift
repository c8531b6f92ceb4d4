import Catalogue

/// `checkpoint-enabled`: `save_checkpoint` stays False (saving a checkpoint takes time inside the run).
struct CheckpointSaving: Rule {
    let id = "checkpoint-enabled"
    let severity = Severity.error
    let summary = "Keep save_checkpoint False."

    func check(_ context: RuleContext) -> [Finding] {
        context.submission.settings.settings("save_checkpoint").compactMap { setting in
            let text = setting.value.text
            let enabled = text == "True" || context.submission.value(of: setting.value).map { $0.double != 0 } == true
            guard enabled else { return nil }
            return Finding(rule: id, severity: severity, message: "save_checkpoint is set to \(text)",
                           submission: [context.submission.evidence(setting.site, "checkpoint saving enabled")])
        }
    }
}
