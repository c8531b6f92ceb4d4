import Catalogue
import TreeSitterKit

/// `environment-variable-dropped`: every environment variable the base reads (`os.environ[...]`,
/// `os.environ.get(...)`, `os.getenv(...)`, under any import alias) is still read by the submission, and the
/// submission does not overwrite one of them (`os.environ["NANOGPT_VAL_TOKENS"] = ...`, `os.putenv`,
/// `os.environ.update(...)`). The benchmark's harness passes the data paths and the validation budget this
/// way; a script that stops reading them ignores the harness. A rank or world size that the submission now
/// asks `torch.distributed` for instead of `RANK`/`WORLD_SIZE` is a warning: torchrun sets both consistently.
struct EnvironmentVariables: Rule {
    let id = "environment-variable-dropped"
    let severity = Severity.error
    let summary = "Keep reading every environment variable the base reads (data paths, token budget, ranks); overwrite none."

    static let torchrunVariables: [String: Set<String>] = [
        "RANK": ["get_rank"], "WORLD_SIZE": ["get_world_size"], "LOCAL_RANK": ["get_node_local_rank", "get_local_rank"],
        "LOCAL_WORLD_SIZE": ["get_local_world_size"],
    ]

    /// The variables a file reads, with where. A key may be a parameter of a helper (`def env(name): return
    /// os.environ[name]`): the helper's callers name the variables.
    static func reads(_ facts: PythonFacts) -> [(String, Node)] {
        let script = Script(facts)
        var result: [(String, Node)] = []
        func keys(_ key: Node) -> [(String, Node?)] {
            if let name = facts.string(of: key) { return [(name, nil)] }
            guard key.type == "identifier", script.isParameter(key.text, at: key) else { return [] }
            return script.definitions(of: key.text, at: key).compactMap { argument in facts.string(of: argument).map { ($0, argument) } }
        }
        for node in facts.nodes(ofType: "subscript") {
            // `os.environ["X"] = ...` sets a variable; only reads count.
            if let parent = node.parent, parent.type == "assignment", parent.child(byField: "left") == node { continue }
            guard let value = node.child(byField: "value"), facts.imports.qualifiedName(of: value) == "os.environ",
                  let key = node.child(byField: "subscript") else { continue }
            for (name, site) in keys(key) { result.append((name, site ?? node)) }
        }
        for call in facts.calls where call.callee == "os.environ.get" || call.callee == "os.getenv" || call.callee == "os.environ.__getitem__" {
            if let key = call.positional.first {
                for (name, site) in keys(key) { result.append((name, site ?? call.node)) }
            }
        }
        return result
    }

    /// The variables a file writes, with where.
    static func writes(_ facts: PythonFacts) -> [(String, Node)] {
        var result: [(String, Node)] = []
        for node in facts.nodes(ofType: "assignment") {
            guard let left = node.child(byField: "left"), left.type == "subscript", let value = left.child(byField: "value"),
                  facts.imports.qualifiedName(of: value) == "os.environ",
                  let key = left.child(byField: "subscript").flatMap(facts.string(of:)) else { continue }
            result.append((key, node))
        }
        for call in facts.calls {
            switch call.callee {
            case "os.putenv", "os.environ.setdefault", "os.environ.__setitem__":
                if let key = call.positional.first.flatMap(facts.string(of:)) { result.append((key, call.node)) }
            case "os.environ.update":
                for key in call.keywords.keys { result.append((key, call.node)) }
                if let dict = call.positional.first, dict.type == "dictionary" {
                    for pair in dict.namedChildren where pair.type == "pair" {
                        if let key = pair.child(byField: "key").flatMap(facts.string(of:)) { result.append((key, call.node)) }
                    }
                }
            default:
                continue
            }
        }
        return result
    }

    func check(_ context: RuleContext) -> [Finding] {
        let submissionReads = Set(Self.reads(context.submission).map(\.0))
        let calls = Set(context.submission.calls.map(\.name))
        var seen = Set<String>()
        var findings: [Finding] = []
        let baseReads = Self.reads(context.base)
        for (key, node) in baseReads where !submissionReads.contains(key) && seen.insert(key).inserted {
            // Where the base puts the value, and what the submission puts there now.
            var submissionEvidence: [Evidence] = []
            if let assignment = context.baseScript.ancestors(node).first(where: { $0.type == "assignment" }),
               let left = assignment.child(byField: "left"), let name = SettingsTable.bareName(of: left),
               let now = context.submission.settings.settings(context.submissionScript.name(name))
                   .first(where: { [.moduleAssignment, .classField, .localAssignment].contains($0.source) })
                   ?? context.submission.settings.settings(context.submissionScript.name(name)).first {
                submissionEvidence = [context.submission.evidence(now.site, "`\(name)` is set here without reading \(key)")]
            }
            if let replacements = Self.torchrunVariables[key], !replacements.isDisjoint(with: calls) {
                findings.append(Finding(rule: id, severity: .warning,
                                        message: "the environment variable `\(key)` is no longer read; the value now comes from torch.distributed",
                                        submission: submissionEvidence, base: [context.base.evidence(node, "read here in the base")]))
                continue
            }
            findings.append(Finding(rule: id, severity: severity, message: "the environment variable `\(key)` is no longer read",
                                    submission: submissionEvidence, base: [context.base.evidence(node, "read here in the base")]))
        }
        let baseKeys = Set(baseReads.map(\.0)), baseWrites = Set(Self.writes(context.base).map(\.0))
        for (key, node) in Self.writes(context.submission) where baseKeys.contains(key) && !baseWrites.contains(key) {
            findings.append(Finding(rule: id, severity: severity, message: "the submission overwrites the environment variable `\(key)` that the harness sets",
                                    submission: [context.submission.evidence(node, "overwritten here")],
                                    base: baseReads.first { $0.0 == key }.map { [context.base.evidence($0.1, "read here in the base")] } ?? []))
        }
        return findings
    }
}
