import Catalogue
import SourceModel

/// `protected-hyperparameter`: the training files, validation files and `val_tokens` keep the value the base
/// gives them, wherever they are set, and nothing in the submission sets them again.
struct ProtectedHyperparameters: Rule {
    let id = "protected-hyperparameter"
    let severity = Severity.error
    let summary = "Do not change train_files, val_files or val_tokens, where they are set or anywhere they are overridden."

    static let names: Set<String> = ["train_files", "val_files", "val_tokens", "input_bin", "input_val_bin", "train_bin", "val_bin"]

    func check(_ context: RuleContext) -> [Finding] {
        var findings: [Finding] = []
        // Each base setting: the value expression, compared up to renames.
        var protectedValues: [String: [String]] = [:]
        for name in Self.names {
            for setting in context.base.settings.settings(name) {
                protectedValues[name, default: []].append(context.base.compact(setting.value))
            }
        }
        for name in Self.names {
            guard let allowed = protectedValues[name] else { continue }
            let renamed = context.renames[name] ?? name
            let submissionSettings = context.submission.settings.settings(renamed)
            if submissionSettings.isEmpty, let original = context.base.settings.settings(name).first {
                findings.append(Finding(rule: id, severity: severity, message: "`\(name)` is no longer set",
                                        base: [context.base.evidence(original.site, "set here in the base")]))
            }
            for setting in submissionSettings where !allowed.contains(context.submission.compact(setting.value)) {
                let base = context.base.settings.settings(name).first
                findings.append(Finding(rule: id, severity: severity,
                                        message: "`\(name)` is set to `\(context.submission.snippet(setting.value))` instead of `\(base.map { context.base.snippet($0.value) } ?? "")`",
                                        submission: [context.submission.evidence(setting.site, "changed or overridden here")],
                                        base: base.map { [context.base.evidence($0.site, "in the base")] } ?? []))
            }
        }
        return findings
    }
}
