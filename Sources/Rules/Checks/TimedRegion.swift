import Catalogue
import Foundation
import TreeSitterKit

/// `timed-region-changed`: training time is measured as in the base.
///
/// The records time training with a counter (`training_time_ms`) and a start mark (`t0`): the timer starts
/// (`t0 = time.perf_counter()`), pauses around validation (`torch.cuda.synchronize(); training_time_ms += 1000 *
/// (time.perf_counter() - t0)`), restarts after it, and the first warm-up steps are dropped by resetting the
/// counter (`if step == 10: training_time_ms = 0`). The rule finds those roles by what the statements do (a
/// clock read subtracted from a start mark, added to a counter), under any name, and requires:
///
/// - every update of the counter is an accumulation of `clock - start` scaled to milliseconds (or a reset to
///   zero the base also has): nothing scaled, subtracted, or multiplied away (`approx_time`, the per-step
///   figure, likewise);
/// - every start mark reads the clock and nothing else;
/// - every pause reads the clock right after `torch.cuda.synchronize()` when the base's pauses do (otherwise
///   queued GPU work falls outside the measured time);
/// - no training work (a backward pass, an optimizer step, a training batch) runs while the timer is paused;
/// - the counter is reset, and the timer restarted without a pause, at no other place (and after no more
///   warm-up steps) than in the base;
/// - no more training steps run before the timer first starts (a warm-up that restores the model's state
///   afterwards is a warning).
///
/// A new pause with no training work inside is a warning: it excludes time, but maybe only logging.
struct TimedRegion: Rule {
    let id = "timed-region-changed"
    let severity = Severity.error
    let summary = "Time training as the base does: same clock and scale, synchronized timer reads, no work while paused, no untimed training."

    static let secondClocks: Set<String> = ["time.time", "time.perf_counter", "time.monotonic", "time.process_time"]
    static let nanosecondClocks: Set<String> = ["time.perf_counter_ns", "time.time_ns", "time.monotonic_ns"]

    /// How one file times training.
    struct Timing {
        var counters: Set<String> = []
        var starts: Set<String> = []
        /// `counter += ...` or `counter = counter + ...` reading the clock.
        var accumulations: [Node] = []
        /// Other updates of a counter (scalings, subtractions, assignments of something else).
        var otherUpdates: [Node] = []
        var resets: [Node] = []
        /// `start = clock()` (and starts that read something more than the clock).
        var startMarks: [Node] = []
        /// `approx_time = counter + 1000 * (clock - start)`-like reads of the running time.
        var runningReads: [Node] = []
    }

    func clock(_ call: Node, _ facts: PythonFacts) -> String? {
        guard call.type == "call", let function = call.child(byField: "function"),
              let name = facts.imports.qualifiedName(of: function) else { return nil }
        return Self.secondClocks.contains(name) || Self.nanosecondClocks.contains(name) ? name : nil
    }

    func readsClock(_ node: Node, _ facts: PythonFacts) -> Bool { node.preorder.contains { clock($0, facts) != nil } }

    /// `clock() - start` terms inside an expression: the start names.
    func elapsedStarts(_ node: Node, _ facts: PythonFacts) -> [String] {
        node.preorder.compactMap { n -> String? in
            guard n.type == "binary_operator", n.child(byField: "operator")?.type == "-",
                  let left = n.child(byField: "left"), let right = n.child(byField: "right"),
                  clock(unwrap(left), facts) != nil else { return nil }
            return SettingsTable.bareName(of: unwrap(right))
        }
    }

    func unwrap(_ node: Node) -> Node {
        var n = node
        while n.type == "parenthesized_expression", let inner = n.namedChildren.first(where: { $0.type != "comment" }) { n = inner }
        return n
    }

    func timing(_ script: Script, counters knownCounters: Set<String>, starts knownStarts: Set<String>) -> Timing {
        let facts = script.facts
        var timing = Timing()
        timing.counters = knownCounters
        timing.starts = knownStarts
        let assignments = facts.nodes(ofType: ["assignment", "augmented_assignment"])
        // Roles by behaviour: a name accumulating `clock - start` is a counter, and `start` a start mark.
        for node in assignments {
            guard let left = node.child(byField: "left"), let name = SettingsTable.bareName(of: left),
                  let right = node.child(byField: "right") else { continue }
            let starts = elapsedStarts(right, facts)
            guard !starts.isEmpty else { continue }
            let accumulates = node.type == "augmented_assignment" ? node.child(byField: "operator")?.type == "+="
                : script.mentions(right, [name])
            if accumulates {
                timing.counters.insert(name)
                timing.starts.formUnion(starts)
            }
        }
        for node in assignments {
            guard let left = node.child(byField: "left"), let name = SettingsTable.bareName(of: left),
                  let right = node.child(byField: "right") else { continue }
            if timing.counters.contains(name) {
                let op = node.type == "augmented_assignment" ? node.child(byField: "operator")?.type : "="
                let literal = unwrap(right)
                if op == "=", ["integer", "float"].contains(literal.type), Script.number(literal.text) == "0" {
                    timing.resets.append(node)
                } else if op == "+=" || (op == "=" && script.mentions(right, [name])), !elapsedStarts(right, facts).isEmpty {
                    timing.accumulations.append(node)
                } else {
                    timing.otherUpdates.append(node)
                }
            } else if timing.starts.contains(name), readsClock(right, facts) || node.type == "augmented_assignment" {
                timing.startMarks.append(node)
            } else if script.mentions(right, timing.counters), !elapsedStarts(right, facts).isEmpty {
                timing.runningReads.append(node)
            }
        }
        return timing
    }

    /// The factor an elapsed-time expression applies to `clock - start`, and whether it is otherwise a plain
    /// sum: `1000 * (clock - t0)`, `(clock - t0) * 1e3`, `counter + 1000 * (clock - t0)` -> 1000. Nil when the
    /// expression subtracts, divides by a variable, or is not of that shape.
    func scale(_ node: Node, _ facts: PythonFacts, counters: Set<String>) -> Double? {
        let n = unwrap(node)
        if n.type == "binary_operator", let op = n.child(byField: "operator")?.type,
           let left = n.child(byField: "left"), let right = n.child(byField: "right") {
            switch op {
            case "-":
                if clock(unwrap(left), facts) != nil, ["identifier", "attribute"].contains(unwrap(right).type) { return 1 }
                return nil
            case "+":
                // counter + elapsed (either order)
                let l = unwrap(left), r = unwrap(right)
                if let name = SettingsTable.bareName(of: l), counters.contains(name) { return scale(r, facts, counters: counters) }
                if let name = SettingsTable.bareName(of: r), counters.contains(name) { return scale(l, facts, counters: counters) }
                return nil
            case "*":
                if let k = constant(left, facts), let s = scale(right, facts, counters: counters) { return k * s }
                if let k = constant(right, facts), let s = scale(left, facts, counters: counters) { return k * s }
                return nil
            case "/":
                if let k = constant(right, facts), k != 0, let s = scale(left, facts, counters: counters) { return s / k }
                return nil
            default:
                return nil
            }
        }
        return nil
    }

    func constant(_ node: Node, _ facts: PythonFacts) -> Double? {
        guard !readsClock(node, facts), let value = facts.value(of: node) else { return nil }
        return value.double
    }

    func expectedScale(_ node: Node, _ facts: PythonFacts) -> Double {
        node.preorder.contains { clock($0, facts).map(Self.nanosecondClocks.contains) == true } ? 1e-6 : 1000
    }

    func isMilliseconds(_ node: Node, _ facts: PythonFacts, counters: Set<String>) -> Bool {
        guard let right = node.child(byField: "right"), let s = scale(right, facts, counters: counters) else { return false }
        return abs(s - expectedScale(right, facts)) < 1e-9 * max(1, expectedScale(right, facts))
    }

    /// Whether the statement before `node` in its block calls torch.cuda.synchronize().
    func synchronizedBefore(_ node: Node, _ facts: PythonFacts) -> Bool {
        var statement = node
        if let parent = node.parent, parent.type == "expression_statement" { statement = parent }
        var previous = statement.previousSibling
        while let p = previous, !p.isNamed || p.type == "comment" { previous = p.previousSibling }
        guard let previous else { return false }
        return previous.preorder.contains { n in
            n.type == "call" && n.child(byField: "function").flatMap { facts.imports.qualifiedName(of: $0) }.map { $0.hasSuffix("cuda.synchronize") || $0 == "torch.cuda.synchronize" } == true
        }
    }

    /// A backward pass, an optimizer step, or fetching a training batch.
    func trainingWork(_ call: CallSite) -> Bool {
        if call.name == "backward" {
            // `torch.empty(1, requires_grad=True).backward()` at import time is a CUDA work-around, not training.
            if let receiver = call.receiver, receiver.type == "call",
               let callee = receiver.child(byField: "function")?.text, ["torch.empty", "torch.zeros", "torch.ones", "torch.tensor", "torch.randn"].contains(callee) {
                return false
            }
            return true
        }
        let receiver = call.receiver?.text.lowercased() ?? ""
        if call.name == "step", receiver.contains("opt") { return true }
        let argument = call.positional.first?.text.lowercased() ?? ""
        if call.name == "next_batch", receiver.contains("train") { return true }
        if call.callee == "next", argument.contains("train") { return true }
        return false
    }

    func check(_ context: RuleContext) -> [Finding] {
        let baseFacts = context.base, facts = context.submission
        let base = context.baseScript.memoized("timed-region.timing") { timing(context.baseScript, counters: [], starts: []) }
        guard !base.accumulations.isEmpty else { return [] }
        let submission = timing(context.submissionScript, counters: context.submissionScript.names(base.counters),
                                starts: context.submissionScript.names(base.starts))
        var findings: [Finding] = []
        func finding(_ message: String, _ node: Node, _ note: String, base baseNodes: [Node] = [], severity: Severity = .error, extra: [Evidence] = []) {
            findings.append(Finding(rule: id, severity: severity, message: message,
                                    submission: [facts.evidence(node, note)] + extra,
                                    base: baseNodes.map { baseFacts.evidence($0, "in the base") }))
        }

        // Scale: every accumulation adds milliseconds of wall clock.
        let baseScalesRight = base.accumulations.allSatisfy { isMilliseconds($0, baseFacts, counters: base.counters) }
        for node in submission.accumulations where baseScalesRight && !isMilliseconds(node, facts, counters: submission.counters) {
            finding("training time is accumulated as `\(facts.snippet(node))`, not as 1000 x (clock - start)", node,
                    "time scaled or excluded", base: Array(base.accumulations.prefix(1)))
        }
        let baseOthers = Set(base.otherUpdates.map { context.baseScript.canonical($0) })
        for node in submission.otherUpdates where !baseOthers.contains(context.submissionScript.canonical(node)) {
            finding("the training-time counter is changed by `\(facts.snippet(node))`", node, "time scaled or excluded",
                    base: Array(base.accumulations.prefix(1)))
        }
        for node in submission.runningReads {
            guard let right = node.child(byField: "right"), let s = scale(right, facts, counters: submission.counters) else {
                finding("the running training time is computed as `\(facts.snippet(node))`", node, "time scaled or excluded",
                        base: Array(base.runningReads.prefix(1)))
                continue
            }
            if abs(s - expectedScale(right, facts)) > 1e-9 * expectedScale(right, facts) {
                finding("the running training time is scaled: `\(facts.snippet(node))`", node, "time scaled",
                        base: Array(base.runningReads.prefix(1)))
            }
        }
        // Start marks read the clock and nothing else.
        for node in submission.startMarks {
            guard let right = node.child(byField: "right") else { continue }
            if node.type == "augmented_assignment" || clock(unwrap(right), facts) == nil {
                finding("the timer's start mark is shifted: `\(facts.snippet(node))`", node, "start mark is not a clock read",
                        base: Array(base.startMarks.prefix(1)))
            }
        }
        // Synchronized pauses.
        if base.accumulations.allSatisfy({ synchronizedBefore($0, baseFacts) }) {
            for node in submission.accumulations where !synchronizedBefore(node, facts) {
                finding("the timer is read without torch.cuda.synchronize() right before it: queued GPU work is left out of the time",
                        node, "unsynchronized timer read", base: Array(base.accumulations.filter { innermostGuard($0, context.baseScript) == innermostGuard(node, context.submissionScript) }.prefix(1)))
            }
        }
        // No training work while paused; more pauses than the base are looked at.
        var newPauses = max(0, submission.accumulations.count - base.accumulations.count)
        let basePauseGuards = Set(base.accumulations.map { innermostGuard($0, context.baseScript) })
        for pause in submission.accumulations.sorted(by: { a, b in
            // Pauses under a guard the base does not pause under are the likeliest new ones.
            basePauseGuards.contains(innermostGuard(a, context.submissionScript)) == false && basePauseGuards.contains(innermostGuard(b, context.submissionScript))
        }) {
            let restart = submission.startMarks.filter { $0.startByte > pause.endByte }.min { $0.startByte < $1.startByte }
            let untimed = pause.endByte..<(restart?.startByte ?? pause.endByte)
            let work = context.submissionScript.reachableCalls(in: [untimed]).first(where: trainingWork)
            if let work, let restart {
                finding("`\(facts.snippet(work.node))` runs while the timer is paused: its time is not measured", work.node,
                        "untimed training work", extra: [facts.evidence(pause, "timer paused here"), facts.evidence(restart, "restarted here")])
            } else if newPauses > 0, let restart {
                newPauses -= 1
                finding("a new pause of the timer excludes the time from `\(facts.snippet(pause))` to `\(facts.snippet(restart))`", pause,
                        "new pause", severity: .warning, extra: [facts.evidence(restart, "restarted here")])
            }
        }
        // Resets of the counter: the initial one, and inside the loop only as the base does (`if step == 10:`
        // drops the warm-up steps; a later step drops more).
        let baseResets = classifyResets(base, context.baseScript), resets = classifyResets(submission, context.submissionScript)
        let baseThreshold = baseResets.inLoop.compactMap { threshold($0, context.baseScript) }.max()
        for reset in resets.inLoop {
            let guardText = innermostGuard(reset, context.submissionScript)
            let sameGuard = baseResets.inLoop.first { innermostGuard($0, context.baseScript) == guardText }
            if sameGuard != nil { continue }
            if let limit = threshold(reset, context.submissionScript), let baseThreshold, limit <= baseThreshold, baseResets.inLoop.count >= resets.inLoop.count { continue }
            let shown = guardSource(reset, context.submissionScript), baseShown = baseResets.inLoop.first.map { guardSource($0, context.baseScript) } ?? ""
            finding(baseResets.inLoop.isEmpty ? "the training-time counter is reset inside the training loop (when `\(shown)`): the time before it is not measured"
                        : "the training-time counter is reset when `\(shown)` instead of `\(baseShown)`: more steps go untimed",
                    reset, "counter reset", base: Array(baseResets.inLoop.prefix(1)))
        }
        for reset in resets.later.dropFirst(baseResets.later.count) {
            finding("the training-time counter is reset by `\(facts.snippet(reset))` after the timer started: the time before it is not measured",
                    reset, "counter reset")
        }
        // A restart of the timer that follows no pause throws the time since the last start away.
        if unexplainedStarts(base, context.baseScript).isEmpty {
            for mark in unexplainedStarts(submission, context.submissionScript) {
                finding("the timer is restarted by `\(facts.snippet(mark))` without a pause: the time since the last start is thrown away",
                        mark, "timer restarted", base: Array(base.startMarks.prefix(1)))
            }
        }
        findings += untimedWarmup(context, base: base, submission: submission)
        return findings
    }

    /// The condition of the nearest `if`/`elif` around a node inside its loop or function, canonical ("" if none).
    func innermostGuard(_ node: Node, _ script: Script) -> String {
        let limit = script.enclosingLoop(node)
        guard let first = script.guards(node, upTo: limit).first else { return "" }
        return (first.negated ? "not " : "") + script.canonical(first.condition)
    }

    /// The source text of the nearest condition around a node inside its loop.
    func guardSource(_ node: Node, _ script: Script) -> String {
        script.guards(node, upTo: script.enclosingLoop(node)).first.map { script.facts.snippet($0.condition) } ?? ""
    }

    /// The integers a reset's guard compares the step with (`step == 10` -> 10).
    func threshold(_ node: Node, _ script: Script) -> Double? {
        guard let first = script.guards(node, upTo: script.enclosingLoop(node)).first else { return nil }
        return first.condition.preorder.compactMap { $0.type == "integer" ? Double($0.text) : nil }.max()
    }

    /// Resets inside a loop, and resets outside loops after the timer first started.
    func classifyResets(_ timing: Timing, _ script: Script) -> (inLoop: [Node], later: [Node]) {
        let firstStart = timing.startMarks.map(\.startByte).min() ?? Int.max
        let inLoop = timing.resets.filter { script.enclosingLoop($0) != nil }
        let later = timing.resets.filter { script.enclosingLoop($0) == nil && $0.startByte > firstStart }
        return (inLoop, later)
    }

    /// Start marks that are neither the first, nor a restart after a pause, nor next to a reset.
    func unexplainedStarts(_ timing: Timing, _ script: Script) -> [Node] {
        let sorted = timing.startMarks.sorted { $0.startByte < $1.startByte }
        return sorted.dropFirst().filter { mark in
            let previousStart = sorted.last { $0.startByte < mark.startByte }?.endByte ?? 0
            let paused = timing.accumulations.contains { $0.startByte > previousStart && $0.endByte <= mark.startByte }
            let reset = timing.resets.contains { $0.parent?.parent == mark.parent?.parent && $0.endByte <= mark.startByte }
            return !paused && !reset
        }
    }

    /// Training work run before the timer first starts, beyond what the base runs there.
    func untimedWarmup(_ context: RuleContext, base: Timing, submission: Timing) -> [Finding] {
        let before = { (script: Script, timing: Timing) -> [CallSite] in
            guard let start = timing.startMarks.min(by: { $0.startByte < $1.startByte }) else { return [] }
            // Module-level statements before the timer starts (function and class bodies only run when called).
            var ranges: [Range<Int>] = []
            var node = script.statement(of: start)
            while let parent = node.parent {
                for sibling in parent.namedChildren where sibling.endByte <= node.startByte
                    && !["function_definition", "class_definition", "decorated_definition"].contains(sibling.type) {
                    ranges.append(sibling.byteRange)
                }
                node = parent
            }
            return script.reachableCalls(in: ranges).filter { self.trainingWork($0) && $0.name != "next" && $0.name != "next_batch" }
        }
        let baseWork = before(context.baseScript, base), work = before(context.submissionScript, submission)
        guard work.count > baseWork.count, let first = work.first(where: { call in !baseWork.contains { $0.node.text == call.node.text } }) ?? work.first,
              let start = submission.startMarks.min(by: { $0.startByte < $1.startByte }) else { return [] }
        let facts = context.submission
        // A warm-up that puts the model (and optimizers) back as they were trains nothing.
        let restored = facts.calls.contains { call in
            call.name == "load_state_dict" && call.node.startByte > first.node.startByte && call.node.startByte < start.startByte
        }
        if restored {
            return [Finding(rule: id, severity: .warning,
                            message: "warm-up steps run before the timer starts (the state is restored afterwards): check they train nothing",
                            submission: [facts.evidence(first.node, "warm-up before the timer"), facts.evidence(start, "timer starts here")])]
        }
        return [Finding(rule: id, severity: .error,
                        message: "training steps run before the timer starts (`\(facts.snippet(first.node))`): their time is not measured",
                        submission: [facts.evidence(first.node, "untimed training work"), facts.evidence(start, "timer starts here")],
                        base: base.startMarks.min(by: { $0.startByte < $1.startByte }).map { [context.base.evidence($0, "the base starts the timer here")] } ?? [])]
    }
}
