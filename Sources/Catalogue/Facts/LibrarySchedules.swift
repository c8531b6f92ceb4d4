import Foundation
import TreeSitterKit

/// Learning-rate schedules of the Hugging Face `transformers` library (`transformers.optimization`), read as curves by
/// what each computes: a multiplier of the optimizer's rate per step.
///
/// - `get_linear_schedule_with_warmup(opt, num_warmup_steps, num_training_steps)`: linear ramp, then linear decay to 0.
/// - `get_cosine_schedule_with_warmup(opt, num_warmup_steps, num_training_steps, num_cycles=0.5)`: ramp, then cosine.
/// - `get_wsd_schedule(opt, num_warmup_steps, num_decay_steps, num_training_steps=None, num_stable_steps=None,
///   warmup_type="linear", decay_type="cosine", min_lr_ratio=0, num_cycles=0.5)`: warmup, stable, decay
///   (`"linear"`, `"cosine"` or `"1-sqrt"`) to `min_lr_ratio`; the stable phase is what the training steps leave.
/// - `get_scheduler(name, opt, num_warmup_steps=None, num_training_steps=None, scheduler_specific_kwargs=None)`: the
///   library's dispatch by name; `"linear"`, `"cosine"` and `"warmup_stable_decay"` are read as the schedules above,
///   with the rest of their arguments taken from the `scheduler_specific_kwargs` dictionary.
extension PythonFacts {
    static let librarySchedules: Set<String> = [
        "get_linear_schedule_with_warmup", "get_cosine_schedule_with_warmup", "get_wsd_schedule", "get_scheduler",
    ]

    /// The schedule function `get_scheduler` dispatches to for each name it reads here.
    static let scheduleNames: [String: String] = [
        "linear": "get_linear_schedule_with_warmup", "cosine": "get_cosine_schedule_with_warmup",
        "warmup_stable_decay": "get_wsd_schedule",
    ]

    /// Whether a node is a call of one of the `transformers` schedules (the site of its curve in `scheduleCurves`).
    func isLibrarySchedule(_ node: Node) -> Bool {
        guard node.type == "call" else { return false }
        let call = callSite(node)
        return call.callee.hasPrefix("transformers.") && Self.librarySchedules.contains(call.name)
    }

    /// The curve of a `transformers` schedule call, or nil when it is another call or an argument does not resolve.
    func libraryScheduleCurve(_ call: CallSite) -> ScheduleCurve? {
        guard isLibrarySchedule(call.node) else { return nil }
        // The schedule computed, and where each of its arguments is given (by name, or by position when it has one).
        var function = call.name
        var argument: (String, Int?) -> Node? = { name, position in
            position.map { call.argument(name, position: $0) } ?? call.keywords[name]
        }
        if function == "get_scheduler" {
            guard let chosen = call.argument("name", position: 0).flatMap(decidedString),
                  let dispatched = Self.scheduleNames[chosen] else { return nil }
            function = dispatched
            // The schedule's own keywords, from a dictionary (`None` gives none; anything else leaves them unknown).
            var extra: Node?
            if let given = call.argument("scheduler_specific_kwargs", position: 4) {
                guard let read = schedulerKeywords(given) else { return nil }
                extra = read
            }
            argument = { name, _ in
                switch name {
                case "num_warmup_steps": return call.argument(name, position: 2)
                case "num_training_steps": return call.argument(name, position: 3)
                default: return extra.flatMap { OptimizerUse.entry(name, in: $0) }
                }
            }
        }
        func number(_ name: String, _ position: Int?) -> Double?? {
            guard let given = argument(name, position) else { return .some(nil) }
            guard let value = evaluate(given) ?? values(of: given).first?.double else { return nil }
            return .some(value)
        }
        func text(_ name: String, _ fallback: String) -> String? {
            guard let given = argument(name, nil) else { return fallback }
            return decidedString(given)
        }
        guard let warmupGiven = number("num_warmup_steps", 1), let warmup = warmupGiven, warmup >= 0 else { return nil }
        func ramp(_ t: Double) -> Double { t / max(1, warmup) }
        switch function {
        case "get_linear_schedule_with_warmup", "get_cosine_schedule_with_warmup":
            guard let totalGiven = number("num_training_steps", 2), let total = totalGiven, total > warmup else { return nil }
            let cosine = function == "get_cosine_schedule_with_warmup"
            guard let cyclesGiven = number("num_cycles", cosine ? 3 : nil) else { return nil }
            let cycles = cyclesGiven ?? 0.5
            return sample(site: call.node, horizon: total) { t in
                if t < warmup { return ramp(t) }
                let progress = (t - warmup) / max(1, total - warmup)
                return cosine ? max(0, 0.5 * (1 + cos(Double.pi * 2 * cycles * progress))) : max(0, 1 - progress)
            }
        default:
            guard let decayGiven = number("num_decay_steps", 2), let decay = decayGiven, decay > 0,
                  let totalGiven = number("num_training_steps", 3), let stableGiven = number("num_stable_steps", 4),
                  let floorGiven = number("min_lr_ratio", 7), let cyclesGiven = number("num_cycles", 8),
                  let kind = text("decay_type", "cosine"), let warmupKind = text("warmup_type", "linear") else { return nil }
            guard let stable = stableGiven ?? totalGiven.map({ $0 - warmup - decay }), stable >= 0 else { return nil }
            let floor = floorGiven ?? 0, cycles = cyclesGiven ?? 0.5
            guard ["linear", "cosine", "1-sqrt"].contains(kind), ["linear", "cosine", "1-sqrt"].contains(warmupKind) else { return nil }
            return sample(site: call.node, horizon: warmup + stable + decay) { t in
                if t < warmup {
                    let p = ramp(t)
                    switch warmupKind {
                    case "linear": return p
                    case "cosine": return 0.5 * (1 - cos(Double.pi * p))
                    default: return 1 - (1 - p).squareRoot()
                    }
                }
                if t < warmup + stable { return 1 }
                let p = min(1, (t - warmup - stable) / decay)
                let shape: Double
                switch kind {
                case "linear": shape = 1 - p
                case "cosine": shape = 0.5 * (1 + cos(Double.pi * 2 * cycles * p))
                default: shape = 1 - p.squareRoot()
                }
                return floor + (1 - floor) * max(0, shape)
            }
        }
    }

    /// The dictionary literal (or `dict(...)` call) handed to `get_scheduler` as `scheduler_specific_kwargs`, followed
    /// through a name it was last set to: `.some(nil)` for `None`, nil for anything else (a mapping computed at run time).
    private func schedulerKeywords(_ node: Node) -> Node?? {
        var value = unwrapped(node)
        if value.type == "identifier", let set = heldValue(of: value.text, at: node) { value = unwrapped(set) }
        if value.type == "none" { return .some(nil) }
        if value.type == "dictionary" || (value.type == "call" && callSite(value).callee == "dict") { return .some(value) }
        return nil
    }
}
