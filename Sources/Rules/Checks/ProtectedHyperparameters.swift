import Catalogue
import Foundation
import TreeSitterKit

/// `protected-hyperparameter`: the training files, the validation files and `val_tokens` keep the value the
/// base gives them (in the records: read from `NANOGPT_TRAIN_FILES`, `NANOGPT_VAL_FILES`, `NANOGPT_VAL_TOKENS`),
/// wherever the submission sets them: a dataclass field (also a second field of the same name), a module
/// constant, an argparse default, a later `args.val_tokens = ...`, an augmented assignment, a keyword of a
/// config constructor or `dataclasses.replace`, `setattr`. Values compare by what they compute: spacing,
/// the spelling of the environment read (`os.environ[...]`, `os.environ.get(...)`, `os.getenv(...)`), a
/// helper name set to the same expression, and consistent renames (`input_bin` -> `train_bin`) are tolerated.
struct ProtectedHyperparameters: Rule {
    let id = "protected-hyperparameter"
    let severity = Severity.error
    let summary = "Do not change train_files, val_files or val_tokens, where they are set or anywhere they are overridden."

    static let names: Set<String> = ["train_files", "val_files", "val_tokens", "input_bin", "input_val_bin", "train_bin", "val_bin"]

    /// A value's canonical text with environment reads in one spelling.
    static func value(_ node: Node, _ script: Script, depth: Int = 0) -> String {
        var n = script.unwrapped(node)
        // A dataclass field's default is its value: `field(default=x)`, `field(default_factory=lambda: x)`.
        if n.type == "call", depth < 3, case let call = script.facts.callSite(n), call.callee == "dataclasses.field" {
            if let value = call.keywords["default"] { return Self.value(value, script, depth: depth + 1) }
            if let factory = call.keywords["default_factory"].map(script.unwrapped), factory.type == "lambda",
               let body = factory.child(byField: "body") {
                return Self.value(body, script, depth: depth + 1)
            }
        }
        // A local name standing for an expression: compare the expression.
        if n.type == "identifier", depth < 3, !names.contains(n.text) {
            let definitions = script.definitions(of: n.text, at: n)
            if definitions.count == 1 { return value(definitions[0], script, depth: depth + 1) }
        }
        if n.type == "call", let f = n.child(byField: "function"), f.text == "str", let a = n.child(byField: "arguments")?.namedChildren.first {
            n = a
        }
        var text = script.canonicalWithEnvironmentReads(n)
        for call in n.preorder where call.type == "call" {
            if let inline = inlined(call, script) {
                text = text.replacingOccurrences(of: script.canonicalWithEnvironmentReads(call), with: inline)
            }
        }
        return text
    }

    /// A call of a local one-line helper (`def env(name): return os.environ[name]`) as the expression it returns,
    /// its parameters replaced by the arguments.
    static func inlined(_ call: Node, _ script: Script) -> String? {
        guard call.type == "call", let callee = call.child(byField: "function"), callee.type == "identifier",
              let function = script.facts.function(named: callee.text).first, let body = function.body,
              let statement = body.namedChildren.first(where: { $0.type != "comment" && $0.type != "expression_statement" || $0.namedChildren.first?.type != "string" }),
              statement.type == "return_statement", let returned = statement.namedChildren.first else { return nil }
        let arguments = call.child(byField: "arguments")?.namedChildren.filter { $0.type != "comment" && $0.type != "keyword_argument" } ?? []
        var substitutions: [String: String] = [:]
        for (parameter, argument) in zip(function.parameters, arguments) { substitutions[parameter] = script.canonical(argument) }
        return script.canonicalWithEnvironmentReads(returned).split(separator: " ")
            .map { substitutions[String($0)] ?? String($0) }.joined(separator: " ")
    }

    struct Site {
        let node: Node
        let value: Node?
        let description: String
    }

    /// Every place the submission sets a protected name, beyond what the settings table knows.
    func extraSites(_ facts: PythonFacts, names: Set<String>) -> [(name: String, site: Site)] {
        var result: [(String, Site)] = []
        for node in facts.nodes(ofType: ["augmented_assignment", "keyword_argument", "call"]) {
            switch node.type {
            case "augmented_assignment":
                if let left = node.child(byField: "left"), let name = SettingsTable.bareName(of: left), names.contains(name) {
                    result.append((name, Site(node: node, value: nil, description: facts.snippet(node))))
                }
            case "keyword_argument":
                guard let key = node.child(byField: "name")?.text, names.contains(key), let value = node.child(byField: "value") else { continue }
                // Config(val_tokens=...) and dict(...) are in the settings table already.
                if let call = node.parent?.parent, call.type == "call", let callee = call.child(byField: "function")?.text,
                   callee == "dict" || facts.classes.contains(where: { $0.name == callee }) { continue }
                result.append((key, Site(node: node, value: value, description: facts.snippet(node))))
            case "call":
                guard let function = node.child(byField: "function")?.text, function == "setattr" || function.hasSuffix("__setattr__"),
                      let arguments = node.child(byField: "arguments")?.namedChildren, arguments.count >= 3,
                      let key = SettingsTable.stringValue(arguments[1]), names.contains(key) else { continue }
                result.append((key, Site(node: node, value: arguments[2], description: facts.snippet(node))))
            default:
                continue
            }
        }
        return result
    }

    /// The environment variables the benchmark's harness sets for the protected values (the records read them).
    static let harnessVariables: [String: String] = [
        "train_files": "NANOGPT_TRAIN_FILES", "input_bin": "NANOGPT_TRAIN_FILES", "train_bin": "NANOGPT_TRAIN_FILES",
        "val_files": "NANOGPT_VAL_FILES", "input_val_bin": "NANOGPT_VAL_FILES", "val_bin": "NANOGPT_VAL_FILES",
        "val_tokens": "NANOGPT_VAL_TOKENS",
    ]

    /// Whether a value reads the harness's own variable for `name` from the environment (`int(os.environ[
    /// "NANOGPT_VAL_TOKENS"])`, `os.getenv("NANOGPT_VAL_FILES")`): the value the benchmark gives, so never a change,
    /// even where the base pinned a literal that a later record reads from the environment again.
    static func readsHarnessVariable(_ node: Node, _ name: String, _ script: Script) -> Bool {
        guard let variable = harnessVariables[name] else { return false }
        var n = script.unwrapped(node)
        // The read itself, at most converted (`int(...)`): `int(os.environ[...]) // 2` is another value.
        if n.type == "call", case let call = script.facts.callSite(n), ["int", "str", "float"].contains(call.callee),
           call.positional.count == 1, call.keywords.isEmpty {
            n = script.unwrapped(call.positional[0])
        }
        let read: Node?, key: Node?
        if n.type == "subscript" {
            (read, key) = (n.child(byField: "value"), n.child(byField: "subscript"))
        } else if n.type == "call", case let call = script.facts.callSite(n) {
            (read, key) = (call.function, call.positional.first)
        } else {
            return false
        }
        guard let read, let key, SettingsTable.stringValue(key) == variable else { return false }
        let qualified = script.facts.imports.qualifiedName(of: read) ?? read.text
        return ["os.environ", "os.environ.get", "os.getenv", "environ", "environ.get", "getenv"].contains(qualified)
    }

    /// Reads of a name (`args.val_tokens`, `val_tokens`), not where it is set.
    func uses(of names: Set<String>, _ facts: PythonFacts) -> [String: [Node]] {
        Dictionary(grouping: facts.nodes(ofType: ["identifier", "attribute"]).filter { node in
            let type = node.type
            guard type == "identifier" || type == "attribute", let name = SettingsTable.bareName(of: node), names.contains(name) else { return false }
            if node.type == "identifier", node.parent?.type == "attribute" { return false }
            guard let parent = node.parent else { return true }
            if ["assignment", "augmented_assignment"].contains(parent.type), parent.child(byField: "left") == node { return false }
            if parent.type == "keyword_argument", parent.child(byField: "name") == node { return false }
            return true
        }, by: { SettingsTable.bareName(of: $0) ?? "" })
    }

    func check(_ context: RuleContext) -> [Finding] {
        let bs = context.baseScript, ss = context.submissionScript
        var findings: [Finding] = []
        var allowed: [String: Set<String>] = [:]
        for name in Self.names {
            for setting in context.base.settings.settings(name) { allowed[name, default: []].insert(Self.value(setting.value, bs)) }
        }
        var renamed = Dictionary(uniqueKeysWithValues: Self.names.map { ($0, ss.name($0)) })
        // A rename the diff did not see: the same value under another name (`data_val = os.environ[...]`).
        for name in Self.names where context.submission.settings.settings(renamed[name] ?? name).isEmpty {
            guard let values = allowed[name] else { continue }
            let candidates = context.submission.settings.byName.filter { entry in
                !Self.names.contains(entry.key) && entry.value.contains { values.contains(Self.value($0.value, ss)) }
            }
            if candidates.count == 1, let candidate = candidates.first { renamed[name] = candidate.key }
        }
        // A value may also just pass the protected value along (`val_tokens=args.val_tokens`).
        func passesAlong(_ node: Node, _ name: String) -> Bool {
            let n = ss.unwrapped(node)
            guard ["identifier", "attribute"].contains(n.type), let bare = SettingsTable.bareName(of: n) else { return false }
            return bare == name || bare == renamed[name]
        }
        for name in Self.names.sorted() {
            guard let values = allowed[name], let original = context.base.settings.settings(name).first else { continue }
            let settings = context.submission.settings.settings(renamed[name] ?? name)
            if settings.isEmpty {
                findings.append(Finding(rule: id, severity: severity, message: "`\(name)` is no longer set as in the base",
                                        base: [context.base.evidence(original.site, "set here in the base")]))
                continue
            }
            for setting in settings where !values.contains(Self.value(setting.value, ss)) && !passesAlong(setting.value, name)
                && !Self.readsHarnessVariable(setting.value, name, ss) {
                findings.append(Finding(rule: id, severity: severity,
                                        message: "`\(name)` is set to `\(context.submission.snippet(setting.value))` instead of `\(context.base.snippet(original.value))`",
                                        submission: [context.submission.evidence(setting.site, "changed or overridden here")],
                                        base: [context.base.evidence(original.site, "in the base")]))
            }
        }
        // The value must also still be used: a loader given a literal path ignores the protected setting.
        let baseUses = context.base.memoized("rules.protected-uses") { uses(of: Self.names, context.base) }
        let submissionUses = uses(of: Self.names.union(renamed.values), context.submission)
        for name in Self.names.sorted() where allowed[name] != nil {
            guard let firstUse = baseUses[name]?.first, (submissionUses[renamed[name] ?? name] ?? []).isEmpty, (submissionUses[name] ?? []).isEmpty else { continue }
            // The call that used it in the base, as the submission now makes it.
            let calls = context.baseScript.ancestors(firstUse).filter { $0.type == "call" }
            let call = context.base.calls.first { site in calls.contains(site.node) && !["int", "str", "len"].contains(site.name) }
            // Preferably the same assignment (`val_loader = ...`), else the first call of the same function.
            let target = call.flatMap { context.baseScript.ancestors($0.node).first { $0.type == "assignment" } }?
                .child(byField: "left").flatMap(SettingsTable.bareName(of:))
            let sameTarget = target.flatMap { name in
                context.submission.calls.first { site in
                    site.name == call?.name && context.submissionScript.ancestors(site.node).first { $0.type == "assignment" }?
                        .child(byField: "left").flatMap(SettingsTable.bareName(of:)) == context.submissionScript.name(name)
                }
            }
            let now = sameTarget ?? call.flatMap { call in context.submission.calls.first { $0.name == call.name } }
            findings.append(Finding(rule: id, severity: severity, message: "`\(name)` is no longer used: the data or the budget comes from somewhere else",
                                    submission: now.map { [context.submission.evidence($0.node, "no longer uses \(name)")] } ?? [],
                                    base: [context.base.evidence(firstUse, "used here in the base")]))
        }
        let reverse = Dictionary(renamed.map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
        for (written, site) in extraSites(context.submission, names: Set(renamed.values)) {
            let name = reverse[written] ?? written
            guard let values = allowed[name] else { continue }
            if let value = site.value, values.contains(Self.value(value, ss)) || passesAlong(value, name) { continue }
            let original = context.base.settings.settings(name).first
            findings.append(Finding(rule: id, severity: severity, message: "`\(name)` is overridden by `\(site.description)`",
                                    submission: [context.submission.evidence(site.node, "overridden here")],
                                    base: original.map { [context.base.evidence($0.site, "in the base")] } ?? []))
        }
        return findings
    }
}
