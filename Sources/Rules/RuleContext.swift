import Catalogue
import Parsing
import SemanticDiff
import SourceModel
import TreeSitterKit

/// What the rules look at: the base record and the submission, and the semantic diff between them, from which
/// consistent renames are known (a renamed variable is not a violation). Rules read both files as `Script`s:
/// the base in the submission's vocabulary, so that an expression means the same on both sides.
public final class RuleContext {
    public let base: PythonFacts
    public let submission: PythonFacts
    public let diff: SemanticDiffResult
    /// Other files of the submission (their names tell local modules apart from libraries).
    public let siblingModules: Set<String>
    /// The submission's files as written: `submission` alone, or, for a submission split into modules, each module
    /// (`submission` is then the program they make together, see `ModuleBundle`). Rules about the files themselves
    /// (what they import) read these.
    public let files: [PythonFacts]
    /// Names the submission consistently renamed: old -> new.
    public let renames: [String: String]

    public init(base: PythonFacts, submission: PythonFacts, diff: SemanticDiffResult, siblingModules: Set<String> = [],
                files: [PythonFacts]? = nil) {
        self.base = base
        self.submission = submission
        self.diff = diff
        self.siblingModules = siblingModules
        self.files = files ?? [submission]
        var renames: [String: String] = [:]
        for change in diff.changes {
            if change.kinds.contains(.renamed), let oldName = change.oldName {
                renames[oldName.lastDottedComponent] = change.name.lastDottedComponent
            }
            for detail in change.details where detail.kind == .identifierRenamed {
                if let old = detail.old, let new = detail.new { renames[old] = new }
            }
        }
        // Keep only consistent renames: the old name is gone from the submission and the new one is new to it.
        let baseNames = Self.identifiers(base), submissionNames = Self.identifiers(submission)
        self.renames = renames.filter { old, new in old != new && !submissionNames.contains(old) && !baseNames.contains(new) }
        // Without renames the base reads the same for every submission: keep its script (and all it derives)
        // with the base's facts, which a task's context lends to one submission after another.
        let kept = self.renames
        baseScript = kept.isEmpty ? base.memoized("rules.base-script") { Script(base) } : Script(base, canonicalRenames: kept)
        submissionScript = Script(submission, vocabulary: self.renames)
    }

    /// The base and the submission as the rules read them (the base in the submission's vocabulary).
    let baseScript: Script
    let submissionScript: Script

    /// The submission's name for the validation loss: the renamed `val_loss`, else `val_loss` if the submission
    /// accumulates it, else the variable its log line prints after `val_loss:` (the key must stay).
    private(set) lazy var submissionValLoss: String = {
        if let renamed = renames["val_loss"] { return renamed }
        if !submissionScript.validationModel(lossName: "val_loss").accumulations.isEmpty { return "val_loss" }
        return submissionScript.loggedName(afterKey: "val_loss:") ?? "val_loss"
    }()

    /// The submission's name for `last_step`: the renamed one, else `last_step` if defined, else the variable the
    /// training loop sets to what the base's `last_step` is (`is_final = (step == args.num_iterations)`).
    private(set) lazy var submissionLastStep: String = {
        if let renamed = renames["last_step"] { return renamed }
        let assignments = { (facts: PythonFacts) in facts.nodes(ofType: "assignment") }
        let definitions = { (script: Script, name: String) in
            assignments(script.facts).filter { $0.child(byField: "left").map { $0.type == "identifier" && $0.text == name } == true }
        }
        if !definitions(submissionScript, "last_step").isEmpty { return "last_step" }
        let values = Set(definitions(baseScript, "last_step").compactMap { $0.child(byField: "right").map(baseScript.canonical) })
        for node in assignments(submission) {
            guard let left = node.child(byField: "left"), left.type == "identifier", let right = node.child(byField: "right"),
                  values.contains(submissionScript.canonical(right)) else { continue }
            return left.text
        }
        return "last_step"
    }()

    static func identifiers(_ facts: PythonFacts) -> Set<String> {
        facts.identifierNames
    }
}
