import Parsing
import TreeSitterKit

/// `qk_norm`: queries and keys are normalized per head before the attention scores.
///
/// Requires an attention computation (SDPA, FlexAttention, flash attention, or `softmax(q @ k^T)`) whose query and
/// key, each followed back to its projection, both pass through a normalization: `F.rms_norm`, `F.layer_norm`,
/// `F.normalize` (L2), a norm module (`nn.RMSNorm`, `nn.LayerNorm`, or a module of the file that normalizes), a
/// helper of the file that computes a root mean square (also in a Triton kernel it launches), or an inline
/// `x * rsqrt(mean(x^2))`; heads held in a dictionary by role are followed by key (see `PythonFacts.lineage`), and a norm
/// taken from a dictionary of callables counts when the entry for that key normalizes (`keyedCallees`). Rejects a norm on only one of them, on v, on the block input before the projections,
/// on the attention output, or over the full width before the heads are split. Examples: `queries/python/qk_norm/examples/`.
struct QkNorm: Detector {
    let id = "qk_norm"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let model = facts.model()
        let flow = facts.dataflow
        var evidence: [Evidence] = []
        for site in facts.attentionSites {
            let q = facts.lineage(of: site.query, model: model, flow: flow)
            let k = facts.lineage(of: site.key, model: model, flow: flow)
            guard let nq = perHeadNorm(q, facts, model, flow), let nk = perHeadNorm(k, facts, model, flow) else { continue }
            evidence.append(facts.evidence(nq, "queries normalized before attention"))
            evidence.append(facts.evidence(nk, "keys normalized before attention"))
        }
        return evidence
    }

    /// The first step of a lineage that normalizes, unless the heads are split only after it: the lineage splits
    /// heads somewhere but what the norm reads was not split (it normalizes the full width, across heads).
    func perHeadNorm(_ lineage: Lineage, _ facts: PythonFacts, _ model: ModelView, _ flow: Dataflow) -> Node? {
        guard let step = lineage.steps.first(where: { normalizes($0, facts, keys: lineage.keys(at: $0)) }) else { return nil }
        guard lineage.steps.contains(where: { splitsHeads($0, facts) }) else { return step }
        let input: Node?
        if step.type == "call" {
            let call = facts.callSite(step)
            input = call.positional.first ?? call.receiver
        } else {
            input = facts.inlineNormInput(step)
        }
        guard let input else { return step }
        return facts.lineage(of: input, model: model, flow: flow).steps.contains(where: { splitsHeads($0, facts) }) ? step : nil
    }

    /// A reshape that splits the width into heads: `view` / `reshape` to four or more dimensions, `unflatten`, or
    /// an einops pattern grouping axes on its input side (`"b t (h d) -> b h t d"`).
    func splitsHeads(_ step: Node, _ facts: PythonFacts) -> Bool {
        guard step.type == "call" else { return false }
        let call = facts.callSite(step)
        switch call.name {
        case "view", "reshape":
            return call.receiver != nil && facts.reshapeDimensions(call).count >= 4
        case "unflatten":
            return true
        case "rearrange":
            return facts.einopsPattern(call)?.input.contains(where: \.isGroup) == true
        default:
            return false
        }
    }

    /// Whether a step of a lineage normalizes its input. `keys`: what key variables stood for where the lineage
    /// reached the step: a call of an entry of a dictionary of callables normalizes when the entry for that key does
    /// (`self.head_norm[role](t)` with `{"q": rms, "k": rms, "v": lambda t: t}` and `role` standing for "q").
    func normalizes(_ step: Node, _ facts: PythonFacts, keys: [String: String] = [:]) -> Bool {
        if step.type == "call" {
            let call = facts.callSite(step)
            if let callees = facts.keyedCallees(call, keys: keys) { return !callees.isEmpty && callees.allSatisfy(facts.isNormCallable) }
            if call.callee == "torch.nn.functional.normalize" {
                // Over the head dimension, the last one: `dim=-1` (the default, 1, is the head axis of a (B, H, T, D)
                // tensor or the sequence of a (B, T, H, D) one).
                return call.argument("dim", position: 2).flatMap { facts.value(of: $0)?.double } == -1
            }
            return facts.isNormCall(call)
        }
        // x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps), x / x.norm(dim=-1, keepdim=True)
        return facts.inlineNormInput(step) != nil
    }
}
