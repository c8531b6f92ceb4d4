import SourceModel

/// `relu_squared`: the MLP activation is the square of a ReLU, in any spelling.
///
/// Read on the normalized tree, where every square is `torch.square(...)` and every ReLU `torch.relu(...)`:
/// a square whose operand is a ReLU (directly, or through a local name assigned from one, or through a module
/// attribute set to `nn.ReLU()`); `clamp(min=0)` / `clamp_min(0)` / `tl.maximum(x, 0)` count as a ReLU, so a
/// Triton kernel that squares `tl.maximum(x, 0)` is found too. The function holding it must be used (called,
/// launched, instantiated) or be a `forward`. Examples: `queries/python/relu_squared/examples/`.
struct ReluSquared: Detector {
    let id = "relu_squared"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let tree = facts.normalized
        var evidence: [Evidence] = []
        for square in tree.calls(to: ["torch.square"]) {
            guard let operand = tree.arguments(square).first, isReLU(operand, facts, depth: 0) else { continue }
            if let function = facts.functions.first(where: { $0.node.byteRange.contains(tree.byteRange[square].lowerBound) }),
               function.name != "forward", !facts.isReferenced(function.name, outside: function.node) {
                continue
            }
            evidence.append(facts.evidence(normalized: square, "squared ReLU"))
        }
        return evidence
    }

    /// Whether a normalized node computes max(x, 0).
    func isReLU(_ node: Int, _ facts: PythonFacts, depth: Int) -> Bool {
        let tree = facts.normalized
        guard depth < 4 else { return false }
        switch tree.callee(node) {
        case "torch.relu", "torch.nn.functional.relu6"?:
            return true
        case ".clamp_min"?, "torch.clamp_min"?:
            return tree.arguments(node).last.flatMap(tree.number) == 0
        case ".clamp"?, "torch.clamp"?:
            return tree.keyword("min", of: node).flatMap(tree.number) == 0
                || (tree.callee(node) == ".clamp" && tree.arguments(node).first.flatMap(tree.number) == 0)
        case "triton.language.maximum"?, "tl.maximum"?, "torch.maximum"?:
            return tree.arguments(node).contains { tree.number($0) == 0 }
        default:
            break
        }
        // A call of a module attribute set to nn.ReLU(): self.act(x).
        if let callee = tree.callee(node), callee.hasPrefix("self.") || !callee.contains(".") {
            let name = String(callee.split(separator: ".").last ?? "")
            if facts.allSettings.settings(name).contains(where: { setting in
                setting.value.type == "call" && ["torch.nn.ReLU", "nn.ReLU"].contains(CallSite(node: setting.value, imports: facts.imports).callee)
            }) { return true }
        }
        // A local name assigned from a ReLU in the same function: r = F.relu(x); r * r.
        if tree.kindName(node) == "identifier" {
            let name = tree.label[node]
            let function = facts.functions.first { $0.node.byteRange.contains(tree.byteRange[node].lowerBound) }
            // The value the name holds at this point: its last assignment that ends before the use.
            var latest: Int?
            for assignment in (0..<tree.count) where tree.kindName(assignment) == "assignment" {
                let parts = tree.children(of: assignment).map(Int.init)
                guard parts.count >= 2, tree.kindName(parts[0]) == "identifier", tree.label[parts[0]] == name,
                      tree.byteRange[assignment].upperBound <= tree.byteRange[node].lowerBound else { continue }
                if let function, !function.node.byteRange.contains(tree.byteRange[assignment].lowerBound) { continue }
                latest = parts[parts.count - 1]
            }
            if let latest, isReLU(latest, facts, depth: depth + 1) { return true }
        }
        return false
    }
}
