import TreeSitterKit

/// A head that caps its own output: the module called as the output head is (or is replaced by) a class of the file
/// whose forward returns the cap of its projection (`class CappedHead(nn.Linear): def forward(self, x): z =
/// super().forward(x); return self.cap * torch.tanh(z / self.cap)`), built in the model's constructor or put in place
/// of the head by surgery on the built model (`model.lm_head = CappedHead(model.lm_head, 30.0)`, a `setattr`).
extension LogitSoftcap {
    /// The cap `accept` takes that the forward of a class built for the head call's module returns, read with the fields
    /// that construction gives (`self.cap` of `CappedHead(head, 30.0)`). A cap on the forward's input (the hidden
    /// states, before the projection) is not one on the logits.
    func capInHeadModule(_ site: Node, _ facts: PythonFacts, accept: (LogitCap) -> Bool) -> Node? {
        guard site.type == "call", let callee = site.child(byField: "function") else { return nil }
        // (Surgery from outside the model's class included, see `Dataflow.scopedToClass`.)
        for binding in facts.dataflow.bindings(ofReference: callee) where binding.kind == .value {
            let construction = facts.unwrapped(binding.node)
            guard construction.type == "call", !facts.isInDeadBranch(construction),
                  let built = facts.builtObject(construction) else { continue }
            let fields = facts.fieldBindings(of: construction)
            for forward in facts.forwardMethods(of: built.owner) {
                if let cap = returnedCap(forward, facts, fields: fields, accept: accept) { return cap }
            }
        }
        return nil
    }

    /// A cap in `forward` that it returns: the returned expression itself, or the value of an assignment to a name
    /// returned as it is (`out = c * torch.tanh(z / c); return out`). A cap further inside what is returned (on the
    /// hidden states the projection then reads) or taken of a parameter as given is not one on the head's output.
    private func returnedCap(_ forward: PythonFacts.Function, _ facts: PythonFacts, fields: [String: Double],
                             accept: (LogitCap) -> Bool) -> Node? {
        let returned = facts.returnedValues(forward).map(facts.unwrapped)
        guard !returned.isEmpty else { return nil }
        let parameters = Set(forward.parameters)
        let returnedNames = Set(returned.filter { $0.type == "identifier" }.map(\.text))
        var candidates = returned
        for assignment in facts.descendants(of: forward.node) where assignment.type == "assignment" {
            guard let left = assignment.child(byField: "left"), left.type == "identifier", returnedNames.contains(left.text),
                  let right = assignment.child(byField: "right") else { continue }
            candidates.append(facts.unwrapped(right))
        }
        for candidate in candidates {
            // The cap's own node (the tanh or sigmoid call) is the candidate or one operand of its product by the scale.
            let operands = candidate.type == "binary_operator" && candidate.child(byField: "operator")?.type == "*"
                ? candidate.namedChildren.map(facts.unwrapped) : []
            for n in [candidate] + operands {
                for cap in facts.capsAt(n, bindings: fields) where accept(cap) && !facts.isInDeadBranch(cap.node) {
                    if n.type == "call", let input = facts.callSite(n).positional.first ?? facts.callSite(n).receiver {
                        // `tanh(x / c)` of the forward's input `x`.
                        var operand = facts.unwrapped(input)
                        if operand.type == "binary_operator", let left = operand.child(byField: "left") { operand = facts.unwrapped(left) }
                        if operand.type == "identifier", parameters.contains(operand.text) { continue }
                    }
                    return cap.node
                }
            }
        }
        return nil
    }
}
