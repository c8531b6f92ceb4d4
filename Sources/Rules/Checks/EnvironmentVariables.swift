import Catalogue
import TreeSitterKit

/// `environment-variable-dropped`: every environment variable the base reads (`os.environ[...]`,
/// `os.environ.get(...)`, `os.getenv(...)`) is still read by the submission.
struct EnvironmentVariables: Rule {
    let id = "environment-variable-dropped"
    let severity = Severity.error
    let summary = "Keep reading every environment variable the base reads (data paths, token budget, ranks)."

    /// The variables a file reads, with where.
    static func reads(_ facts: PythonFacts) -> [(String, Node)] {
        var result: [(String, Node)] = []
        for node in facts.nodes where node.type == "subscript" {
            // `os.environ["X"] = ...` sets a variable; only reads count.
            if let parent = node.parent, parent.type == "assignment", parent.child(byField: "left") == node { continue }
            guard let value = node.child(byField: "value"), facts.imports.qualifiedName(of: value) == "os.environ",
                  let key = node.child(byField: "subscript").flatMap(facts.string(of:)) else { continue }
            result.append((key, node))
        }
        for call in facts.calls where call.callee == "os.environ.get" || call.callee == "os.getenv" {
            if let key = call.positional.first.flatMap(facts.string(of:)) { result.append((key, call.node)) }
        }
        return result
    }

    func check(_ context: RuleContext) -> [Finding] {
        let submission = Set(Self.reads(context.submission).map(\.0))
        var seen = Set<String>()
        return Self.reads(context.base).compactMap { key, node in
            guard !submission.contains(key), seen.insert(key).inserted else { return nil }
            return Finding(rule: id, severity: severity, message: "the environment variable `\(key)` is no longer read",
                           base: [context.base.evidence(node, "read here in the base")])
        }
    }
}
