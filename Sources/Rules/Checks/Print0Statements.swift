import Catalogue
import SourceModel
import TreeSitterKit

/// `print0-changed`: every `print0` call of the base still prints the same text (the log is what the benchmark
/// parses). Adding new `print0` calls is allowed, and so is moving one, splitting a long f-string over lines,
/// changing its quotes, or printing the same line through `print` and the log file.
///
/// Lines are compared by what they print: the positional arguments with strings reduced to their characters,
/// f-string interpolations in canonical form (renames and single-use aliases resolved). A base line that prints
/// what the benchmark measures (validation loss, training time, step time, training loss) is protected at
/// error level; any other `print0` line (banners, the environment dump, peak memory) at warning level. In
/// records that log without `print0` (`print(...)` and `f.write(...)` under `if master_process:`), the lines
/// that print measured values are protected the same way. Only keyword arguments changed (`console=True`,
/// `logonly=True`: where the line goes, not what it says) is a warning, and so is a `print0` that no longer
/// writes anything.
struct Print0Statements: Rule {
    let id = "print0-changed"
    let severity = Severity.error
    let summary = "Keep every print0 statement of the base and what it prints; new ones may be added."

    /// Keys of the measured values in log lines, and names of variables that hold them.
    static let metricKeys = ["val_loss", "val loss", "train_time", "step_avg", "train_loss", "train loss"]
    static let metricNames: Set<String> = ["val_loss", "training_time_ms", "train_time_ms", "training_time", "approx_time",
                                           "train_loss", "timed_steps"]

    struct LogCall {
        let node: Node
        let callee: String
        /// What it prints.
        let signature: String
        let keywords: String
        let isPrint0: Bool
        let measured: Bool
        /// "print0", "print" (the console) or "write" (the log file).
        let kind: String

        var words: Set<Substring> { Set(signature.split { !$0.isLetter && !$0.isNumber && $0 != "_" }) }
    }

    static func logCalls(_ script: Script, print0: String, protectedOnly: Bool) -> [LogCall] {
        let facts = script.facts
        let helpers = protectedOnly ? [:] : loggingHelpers(facts, besides: print0)
        return facts.calls.compactMap { call -> LogCall? in
            let isPrint0 = call.callee == print0
            let isPrint = call.callee == "print"
            let isWrite = call.name == "write" && call.receiver != nil
            let helper = call.receiver == nil ? helpers[call.name] : nil
            guard isPrint0 || isPrint || isWrite || helper != nil, !call.hasSplat else { return nil }
            // The lines inside a logging helper are its implementation, not log lines.
            if let function = facts.enclosingFunction(call.node), function.name == print0 || helpers[function.name] != nil { return nil }
            var parts = call.positional.map { argument -> String in
                if let content = script.stringContent(argument) { return "\"" + content + "\"" }
                return script.canonical(argument)
            }
            if isWrite, let last = parts.last, last.hasSuffix("\\n\"") {
                parts[parts.count - 1] = String(last.dropLast(3)) + "\""
            }
            let measured = Self.printsMeasuredValues(call, script)
            if protectedOnly && !isPrint0 && !measured { return nil }
            let keywords = call.keywords.filter { $0.key != "file" && $0.key != "flush" }
                .map { "\($0.key)=\(script.canonical($0.value))" }.sorted().joined(separator: ",")
            let kind = helper ?? (isPrint0 ? "print0" : (isWrite || call.keywords["file"] != nil) ? "write" : "print")
            return LogCall(node: call.node, callee: call.callee, signature: parts.joined(separator: " , "), keywords: keywords,
                           isPrint0: isPrint0, measured: measured, kind: kind)
        }
    }

    /// Functions of the submission other than `print0` that log the line they are given, with where it goes
    /// ("print0" for the console and the log file, "print" or "write"): `def report(s): print(s); with open(p, "a")
    /// as f: f.write(s + "\n")`. A call of one prints its argument as the base's `print` and `f.write` did.
    static func loggingHelpers(_ facts: PythonFacts, besides print0: String) -> [String: String] {
        var helpers: [String: String] = [:]
        for function in facts.functions where function.name != print0 && function.receiver == nil {
            guard let line = function.passedParameters.first, let body = function.body else { continue }
            // The line itself, or the line and a newline.
            func isLine(_ node: Node) -> Bool {
                let n = facts.unparenthesized(node)
                if n.type == "identifier" { return n.text == line }
                guard n.type == "binary_operator", n.child(byField: "operator")?.type == "+",
                      let left = n.child(byField: "left"), let right = n.child(byField: "right") else { return false }
                // The string's content as written (`"\\n"`) or with its escape read.
                return isLine(left) && ["\n", "\\n"].contains(SettingsTable.stringValue(right) ?? "")
            }
            var places = Set<String>()
            for node in facts.descendants(of: body) where node.type == "call" {
                let call = facts.callSite(node)
                guard call.positional.count == 1, isLine(call.positional[0]) else { continue }
                if call.callee == "print" { places.insert(call.keywords["file"] == nil ? "console" : "file") }
                if call.name == "write", call.receiver != nil { places.insert("file") }
            }
            switch places {
            case ["console", "file"]: helpers[function.name] = "print0"
            case ["console"]: helpers[function.name] = "print"
            case ["file"]: helpers[function.name] = "write"
            default: continue
            }
        }
        return helpers
    }

    /// Whether a call prints what the benchmark measures: a metric key in its strings, or a metric variable.
    static func printsMeasuredValues(_ call: CallSite, _ script: Script) -> Bool {
        call.positional.contains { argument in
            argument.preorder.contains { node in
                switch node.type {
                case "string_content":
                    let text = node.text
                    return metricKeys.contains { text.contains($0) }
                case "identifier":
                    return metricNames.contains(node.text)
                default:
                    return false
                }
            }
        }
    }

    func check(_ context: RuleContext) -> [Finding] {
        let base = context.baseScript, submission = context.submissionScript
        let basePrint0 = "print0"
        var submissionPrint0 = submission.name("print0")
        // A renamed logging helper the diff did not pair: the function with the same body.
        if context.submission.function(named: submissionPrint0).isEmpty, let definition = context.base.function(named: basePrint0).first?.body {
            let body = base.canonical(definition)
            if let twin = context.submission.functions.first(where: { $0.body.map(submission.canonical) == body }) { submissionPrint0 = twin.name }
        }
        let protected = base.memoized("print0.protected") { Self.logCalls(base, print0: basePrint0, protectedOnly: true) }
        let candidates = Self.logCalls(submission, print0: submissionPrint0, protectedOnly: false)
        // A base line is kept when the submission prints the same text to the same places: print0 writes the
        // console and the log file, print the console, f.write (or print(file=f)) the log file.
        let places = { (kind: String) -> Set<String> in kind == "print0" ? ["console", "file"] : kind == "print" ? ["console"] : ["file"] }
        let kept = { (line: LogCall) -> Bool in
            let reached = candidates.filter { $0.signature == line.signature }.reduce(into: Set<String>()) { $0.formUnion(places($1.kind)) }
            return reached.isSuperset(of: places(line.kind))
        }
        let protectedSignatures = Set(protected.map(\.signature))
        // Submission lines that print nothing the base prints: where a changed line may have gone.
        var unclaimed = candidates.filter { !protectedSignatures.contains($0.signature) }
        var findings: [Finding] = []
        for line in protected {
            let level: Severity = line.measured ? .error : .warning
            let text = base.oneLine(line.node)
            let what = line.isPrint0 ? "the print0 statement" : "the log statement"
            if kept(line) {
                if line.isPrint0, let kept = candidates.first(where: { $0.signature == line.signature && $0.isPrint0 }), kept.keywords != line.keywords,
                   !candidates.contains(where: { $0.signature == line.signature && $0.keywords == line.keywords }) {
                    findings.append(Finding(rule: id, severity: .warning,
                                            message: "\(what) `\(text)` prints the same text, but its keyword arguments changed (`\(line.keywords)` -> `\(kept.keywords)`)",
                                            submission: [context.submission.evidence(kept.node, "keyword arguments changed")],
                                            base: [context.base.evidence(line.node, "in the base")]))
                }
                continue
            }
            let words = line.words
            let best = unclaimed.enumerated().map { index, candidate -> (Int, Double) in
                let other = candidate.words
                let union = words.union(other).count
                return (index, union == 0 ? 0 : Double(words.intersection(other).count) / Double(union))
            }.max { $0.1 < $1.1 }
            if let (index, similarity) = best, similarity >= 0.4 {
                let target = unclaimed.remove(at: index)
                findings.append(Finding(rule: id, severity: level, message: "\(what) `\(text)` was changed: the log no longer gets the same line",
                                        submission: [context.submission.evidence(target.node, "changed to this")],
                                        base: [context.base.evidence(line.node, "in the base")]))
                continue
            }
            // The same text, printed to fewer places.
            if let partial = candidates.first(where: { $0.signature == line.signature }) {
                let missing = places(line.kind).subtracting(candidates.filter { $0.signature == line.signature }.reduce(into: Set<String>()) { $0.formUnion(places($1.kind)) })
                findings.append(Finding(rule: id, severity: level,
                                        message: "\(what) `\(text)` is no longer written to the \(missing.contains("file") ? "log file" : "console"): `\(submission.oneLine(partial.node))` prints it only to the \(places(partial.kind).sorted().joined(separator: " and "))",
                                        submission: [context.submission.evidence(partial.node, "printed to fewer places")],
                                        base: [context.base.evidence(line.node, "in the base")]))
            } else {
                findings.append(Finding(rule: id, severity: level, message: "\(what) `\(text)` was removed",
                                        base: [context.base.evidence(line.node, "removed from the submission")]))
            }
        }
        findings += silencedLogger(context, basePrint0: basePrint0, submissionPrint0: submissionPrint0)
        return findings
    }

    /// A `print0` that no longer prints or writes anything (while the base's did) drops every line at once.
    func silencedLogger(_ context: RuleContext, basePrint0: String, submissionPrint0: String) -> [Finding] {
        let writes = { (facts: PythonFacts, function: PythonFacts.Function) in
            facts.calls.contains { call in
                function.node.byteRange.contains(call.node.startByte) && (call.callee == "print" || call.name == "write" || call.name == "info" || call.name == "log")
            }
        }
        guard let baseDefinition = context.base.function(named: basePrint0).first, writes(context.base, baseDefinition) else { return [] }
        return context.submission.function(named: submissionPrint0).filter { !writes(context.submission, $0) }.map { definition in
            Finding(rule: id, severity: .error, message: "`\(submissionPrint0)` no longer prints or writes anything: every log line is dropped",
                    submission: [context.submission.evidence(definition.node, "the logging helper")],
                    base: [context.base.evidence(baseDefinition.node, "in the base")])
        }
    }
}
