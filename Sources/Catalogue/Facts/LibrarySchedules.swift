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
extension PythonFacts {
    static let librarySchedules: Set<String> = [
        "get_linear_schedule_with_warmup", "get_cosine_schedule_with_warmup", "get_wsd_schedule",
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
        func number(_ name: String, _ position: Int?) -> Double?? {
            let given = position.map { call.argument(name, position: $0) } ?? call.keywords[name]
            guard let argument = given else { return .some(nil) }
            guard let value = evaluate(argument) ?? values(of: argument).first?.double else { return nil }
            return .some(value)
        }
        func text(_ name: String, _ fallback: String) -> String? {
            guard let argument = call.keywords[name] else { return fallback }
            return decidedString(argument)
        }
        guard let warmupGiven = number("num_warmup_steps", 1), let warmup = warmupGiven, warmup >= 0 else { return nil }
        func ramp(_ t: Double) -> Double { t / max(1, warmup) }
        switch call.name {
        case "get_linear_schedule_with_warmup", "get_cosine_schedule_with_warmup":
            guard let totalGiven = number("num_training_steps", 2), let total = totalGiven, total > warmup else { return nil }
            let cosine = call.name == "get_cosine_schedule_with_warmup"
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
}
