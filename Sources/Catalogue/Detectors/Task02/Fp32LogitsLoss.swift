import Parsing
import TreeSitterKit

/// `fp32_logits_loss`: the logits are cast to float32 before the loss consumes them.
///
/// Requires a loss call (`F.cross_entropy`, `F.nll_loss`, a `CrossEntropyLoss` module, or the `logsumexp` /
/// `log_softmax` of a cross-entropy written by hand with a `gather` of the targets) whose input, followed back
/// through local assignments, reshapes and arithmetic (a soft-cap, `log_softmax`) up to the projection that makes
/// the logits, passes through a cast to fp32 or fp64: `.float()`, `.double()` (also looked up by a name that resolves
/// to either: `getattr(logits, cfg.logit_cast)()`), `.to(torch.float32)`,
/// `.to(dtype=torch.float)`, `.type(torch.float32)`, or `.to(d)` with `d` holding such a dtype (see `dtypeName`: also
/// `getattr(torch, "float" + str(4 * 8))`); the cast may be made in the model, on the logits it returns
/// (followed from the loss back into `forward` and its helpers); or a cross-entropy kernel on the logits' way that casts
/// what it loads to fp32 before its log-sum-exp. Rejects a cast of the loss value, a cast on a branch that
/// computes no loss, an fp32 copy the logits' name takes only after the loss has read it (`loss = F.cross_entropy(logits,
/// y)` then `logits = logits_fp32` to hand the caller a float copy; see `PythonFacts.assignedAfter`), a cast to bf16/fp16, and an upcast of the hidden state before the head (the walk stops at the
/// projection), and a cast before a loss computed only in evaluation code (`runsOnlyInEval`). Examples:
/// `queries/python/fp32_logits_loss/examples/`.
struct Fp32LogitsLoss: Detector {
    let id = "fp32_logits_loss"
    static let losses: Set<String> = [
        "torch.nn.functional.cross_entropy", "torch.nn.functional.nll_loss", "torch.cross_entropy",
    ]
    static let wideTypes: Set<String> = ["torch.float32", "torch.float", "torch.float64", "torch.double"]

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let model = facts.model()
        let flow = facts.dataflow
        var evidence: [Evidence] = []
        // The training loss: a loss computed only in evaluation code (`@torch.no_grad() def evaluate`, `model.eval()`
        // before it, `if not self.training:`) is never differentiated, so its cast does not change training.
        for call in facts.calls where isLoss(call, facts) && !facts.runsOnlyInEval(call.node) {
            if isWideCast(call.node, facts) {
                evidence.append(facts.evidence(call.node, "log-softmax of the logits computed in fp32"))
                continue
            }
            guard let input = call.argument("input", position: 0) else { continue }
            let lineage = facts.lineage(of: input, model: model, flow: flow)
            if let cast = lineage.steps.first(where: { isWideCast($0, facts) }) {
                evidence.append(facts.evidence(cast, "logits cast to fp32 before the loss"))
            }
        }
        // A cross-entropy computed in a kernel on the logits' way (see `PythonFacts.fusedLossCalls`) that widens what
        // it loads to fp32 before taking the log-sum-exp.
        if evidence.isEmpty {
            for launch in facts.logitsFlow().launches where facts.takesLogSumExp(launch) && widensLoads(launch, facts) {
                evidence.append(facts.evidence(launch.call.node, "cross-entropy kernel `\(launch.kernel.name)` computes on fp32 logits"))
            }
        }
        if evidence.isEmpty, let cast = castInModel(facts, model) {
            // The cast made where the model returns its logits (`return self.head(h).float()`).
            evidence.append(facts.evidence(cast, "logits cast to fp32 where the model computes them"))
        }
        return evidence
    }

    /// A wide cast on the logits flow (`facts.logitsFlow()`: from the loss input back into the model's `forward`
    /// and helpers), not under the head's projection (an upcast of the hidden state does not count).
    func castInModel(_ facts: PythonFacts, _ model: ModelView) -> Node? {
        for expression in facts.logitsFlow().expressions where !facts.runsOnlyInEval(expression) {
            var stack = [expression]
            while let n = stack.popLast() {
                if isWideCast(n, facts) { return n }
                if (n.type == "call" || n.type == "binary_operator") && model.projectionOwner(n) != nil { continue }
                stack += n.namedChildren
            }
        }
        return nil
    }

    /// Whether a kernel casts what it loads to fp32 or fp64 (`tl.load(p + cols).to(tl.float32)`).
    func widensLoads(_ launch: KernelLaunch, _ facts: PythonFacts) -> Bool {
        facts.kernelBodies(launch).contains { body, _ in
            facts.descendants(of: body).contains { n in
                guard n.type == "call", case let cast = facts.callSite(n), ["to", "cast"].contains(cast.name),
                      let dtype = cast.positional.first ?? cast.keywords["dtype"],
                      ["tl.float32", "tl.float64", "triton.language.float32", "triton.language.float64"].contains(dtype.text),
                      let loaded = cast.receiver.map(facts.unwrapped), loaded.type == "call" else { return false }
                return facts.callSite(loaded).name == "load"
            }
        }
    }

    func isLoss(_ call: CallSite, _ facts: PythonFacts) -> Bool {
        if Self.losses.contains(call.callee) { return true }
        // A cross-entropy written by hand (logsumexp / log_softmax, or `log` of a summed `exp`, and a gather of the targets).
        if ["logsumexp", "log_softmax", "log"].contains(call.name) { return facts.lossCalls.contains { $0.node == call.node } }
        guard let function = call.function, facts.isReferenceChain(function),
              let module = facts.moduleConstructor(call.callee) else { return false }
        return module.callee == "torch.nn.CrossEntropyLoss" || module.callee == "torch.nn.NLLLoss"
    }

    /// `.float()`, `.double()`, `.to(torch.float32)`, `.to(dtype=torch.float)`, `.type(torch.float32)`, the method
    /// looked up by a name that resolves to `"float"` or `"double"` (`getattr(logits, cfg.logit_cast)()`), or a
    /// (log-)softmax computed in fp32 (`F.log_softmax(logits, -1, dtype=torch.float32)`).
    func isWideCast(_ node: Node, _ facts: PythonFacts) -> Bool {
        guard node.type == "call" else { return false }
        let call = facts.callSite(node)
        if ["log_softmax", "softmax"].contains(call.name), let dtype = call.keywords["dtype"] {
            return isWide(dtype, facts)
        }
        // A cast method looked up by name (`getattr(logits, self.config.logit_cast)()` with the field set to
        // `"float"`; see `attributeRead`): every name it may have is a widening cast.
        if let function = call.function.map(facts.unwrapped), function.type == "call", call.positional.isEmpty, call.keywords.isEmpty,
           let read = facts.attributeRead(function) {
            return read.names.allSatisfy { ["float", "double"].contains($0) }
        }
        guard call.receiver != nil else { return false }
        switch call.name {
        case "float", "double":
            return call.positional.isEmpty
        case "to", "type":
            let dtypes = [call.keywords["dtype"]].compactMap { $0 } + call.positional
            return dtypes.contains { isWide($0, facts) }
        default:
            return false
        }
    }

    /// A dtype of 32 bits or more: `torch.float32` under any alias, or a name, attribute or setting that holds one
    /// (`self.logits_dtype = getattr(torch, cfg["loss"]["dtype"])` with `"float32"` in the configuration).
    func isWide(_ dtype: Node, _ facts: PythonFacts) -> Bool {
        if facts.imports.qualifiedName(of: facts.unparenthesized(dtype)).map(Self.wideTypes.contains) == true { return true }
        return facts.dtypeName(of: dtype).map { ["float32", "float64"].contains($0) } == true
    }
}
