import TreeSitterKit

/// The machine the benchmark's runs are timed on: eight H100 GPUs (compute capability 9.0) with a recent PyTorch.
/// A script that asks the hardware before choosing a path (`if torch.cuda.get_device_capability()[0] >= 8:` for bf16,
/// `torch.cuda.is_bf16_supported()`, `hasattr(torch, "float8_e4m3fn")`) takes, in the run that is scored, the path
/// that machine selects; the configured program reads such queries with the machine's answers (see
/// `PythonFacts.truth(of:)`). Questions whose answer depends on how the run is launched (rank, world size) are not
/// hardware queries and stay undecided.
enum TargetHardware {
    /// Compute capability of the benchmark's GPUs (H100, sm_90).
    static let capability: (major: Double, minor: Double) = (9, 0)

    /// Functions whose call the machine answers with a number (1 for true).
    static let answers: [String: Double] = [
        "torch.cuda.is_available": 1,
        "torch.cuda.is_bf16_supported": 1,
        "torch.backends.cuda.is_flash_attention_available": 1,
        "torch.distributed.is_available": 1,
        "torch.distributed.is_nccl_available": 1,
    ]

    /// Attributes of the torch namespace the scored PyTorch has (`hasattr(torch, "float8_e4m3fn")`).
    static let torchAttributes: Set<String> = [
        "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "bfloat16", "compile", "_scaled_mm", "library", "func",
    ]

    /// The qualified name of a hardware query a call makes (`torch.cuda.get_device_capability`), also through a local
    /// set to `getattr(torch.cuda, "is_bf16_supported", None)`, else nil.
    static func query(_ call: CallSite, _ facts: PythonFacts) -> String? {
        if answers[call.callee] != nil || call.callee == "torch.cuda.get_device_capability" { return call.callee }
        guard let function = call.function.map(facts.unwrapped), function.type == "identifier",
              let held = facts.latestValue(of: function.text, before: call.node) else { return nil }
        return fetchedAttribute(held, facts).flatMap { answers[$0] != nil ? $0 : nil }
    }

    /// `getattr(module, "name", default)` on an imported module: `module.name`, qualified.
    static func fetchedAttribute(_ node: Node, _ facts: PythonFacts) -> String? {
        let n = facts.unwrapped(node)
        guard n.type == "call", case let call = facts.callSite(n), call.callee == "getattr", call.positional.count >= 2,
              let module = facts.imports.qualifiedName(of: facts.unwrapped(call.positional[0])),
              let name = SettingsTable.stringValue(call.positional[1]) else { return nil }
        return module + "." + name
    }

    /// Whether an expression is a call of `torch.cuda.get_device_capability()`.
    static func isCapability(_ node: Node, _ facts: PythonFacts) -> Bool {
        let n = facts.unwrapped(node)
        return n.type == "call" && facts.callSite(n).callee == "torch.cuda.get_device_capability"
    }

    /// The element `index` of the capability pair (0: major, 1: minor).
    static func capabilityPart(_ index: Int) -> Double? {
        switch index {
        case 0: capability.major
        case 1: capability.minor
        default: nil
        }
    }

    /// `capability <op> (a, b)` compared as Python compares tuples; nil when the other side is no pair of numbers.
    static func compareCapability(_ op: String, _ other: Node, capabilityOnLeft: Bool, _ facts: PythonFacts) -> Bool? {
        let o = facts.unwrapped(other)
        guard o.type == "tuple" else { return nil }
        let items = o.namedChildren.filter { $0.type != "comment" }.map { facts.value(of: $0)?.double }
        guard !items.isEmpty, items.allSatisfy({ $0 != nil }) else { return nil }
        let mine = [capability.major, capability.minor]
        let theirs = items.map { $0! }
        var order = 0
        for (a, b) in zip(mine, theirs) where a != b { order = a < b ? -1 : 1; break }
        if order == 0, mine.count != theirs.count { order = mine.count < theirs.count ? -1 : 1 }
        if !capabilityOnLeft { order = -order }
        switch op {
        case "<": return order < 0
        case "<=": return order <= 0
        case ">": return order > 0
        case ">=": return order >= 0
        case "==": return order == 0
        case "!=": return order != 0
        default: return nil
        }
    }
}
