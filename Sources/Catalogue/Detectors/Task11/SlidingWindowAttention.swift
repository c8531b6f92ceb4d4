import Parsing
import TreeSitterKit

/// `sliding_window_attention`: each query sees only keys within a bounded distance behind it.
///
/// Requires an applied distance bound: in a FlexAttention `mask_mod` result (`q_idx - kv_idx < W`,
/// `kv_idx > q_idx - W`, ...; also a term of a conjunction of mask objects, `Causal() & LocalWindow(w)`, see
/// `PythonFacts.maskMod`; also a predicate a mask function conjoins from a list, selected by a configured kind string, see
/// `PythonFacts.conjoinedPredicates`); in the block lists given to `BlockMask.from_kv_blocks` (a bound on the
/// difference of block indices, or block counts clamped to a maximum); in a dense mask given to SDPA or applied by hand to the scores (a band from a
/// `tril`/`triu` with a negative or computed diagonal, or a bounded position difference); or a flash-attn
/// `window_size` whose left extent is not -1. The window may be any value or schedule. Rejects causal and
/// document masks without a distance bound, a window term that is computed but not part of the returned mask,
/// `window_size=(-1, -1)`, a mask function whose window is the mask's own length (`window = S` for a mask built over `S`
/// positions, see `spansMaskLength`) or at least the training sequence (also read from a
/// configuration entry, `q_idx - kv_idx < env["window"]`), a dense band at least
/// as wide as the positions it is built over, and the word "window" alone. Examples: `queries/python/sliding_window_attention/examples/`.
struct SlidingWindowAttention: Detector {
    let id = "sliding_window_attention"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let flow = facts.dataflow
        var evidence: [Evidence] = []
        for (constructor, mask) in facts.maskMods(flow) {
            // (A bound behind a test the configuration decides against never applies: `if window is not None:` with the
            // window `null` in the configuration document.)
            if let bound = facts.maskModBoundsDistance(mask, flow), !Self.neverBinds(bound, mask, facts),
               !Self.spansMaskLength(bound, mask, constructor, facts), !facts.isInDeadBranch(bound) {
                evidence.append(facts.evidence(bound, "mask_mod bounds the query-key distance"))
            }
        }
        for call in facts.fromKVBlocksCalls {
            if let bound = Self.blockWindow(call, facts, flow) {
                evidence.append(facts.evidence(bound, "block lists limited to a window"))
            }
        }
        for mask in facts.denseAttentionMasks {
            // (Through the parameters of the functions the mask is handed to, back to what their callers pass: a mask built
            // in the model and handed down to each block's attention.)
            let closure = flow.closure(of: [mask], followingOwnParameters: true)
            // `d >= 0` is the causal half of a band; the window is the other comparison.
            let bands = closure.filter { isBand($0, facts) && !Self.isCausalHalf($0, facts) }
            if let band = bands.first(where: { !Self.coversWholeSequence($0, closure, facts) }) {
                evidence.append(facts.evidence(band, "banded attention mask"))
            }
        }
        for call in facts.calls where call.name.hasPrefix("flash_attn") {
            guard let window = call.keywords["window_size"] else { continue }
            let tuple = facts.unwrapped(window)
            guard tuple.type == "tuple" || tuple.type == "list", let left = tuple.namedChildren.first else { continue }
            let value = facts.value(of: left)?.double
            if value == nil || value! >= 0 {
                evidence.append(facts.evidence(call.node, "flash-attn local window"))
            }
        }
        return evidence
    }

    /// Whether a mask function's distance bound is at least the training sequence (the largest number of tokens
    /// that sizes training data, `tokenCountUses`): `qi - ki < span` with `span = seq_len` limits nothing. The window
    /// is read from names, attributes and entries read by a string key that do not involve a position
    /// (`qi - ki < env["window"]` with `env = {"window": cfg["window_tokens"]}`).
    static func neverBinds(_ bound: Node, _ mask: MaskMod, _ facts: PythonFacts) -> Bool {
        let indices = Set([mask.queryIndex, mask.keyIndex].compactMap { $0 })
        let windows = facts.descendants(of: bound).filter { n in
            (n.type == "identifier" && !indices.contains(n.text) && n.parent?.type != "attribute") || n.type == "attribute"
                || (n.type == "subscript" && n.child(byField: "subscript")?.type == "string"
                    && !facts.descendants(of: n).contains { $0.type == "identifier" && indices.contains($0.text) })
        }.compactMap { facts.value(of: $0)?.double }
        guard let window = windows.max() else { return false }
        let lengths = facts.tokenCountUses().filter { !$0.validation }.map { Double($0.value) }
        guard let length = lengths.max() else { return false }
        return window >= length
    }

    /// Whether the window of a bound is the length of the mask itself: the same expression the mask constructor is
    /// given as its query or key length (`window = S` with `create_block_mask(mod, None, None, S, S)`, also through a
    /// local, or written as that length, `idx.numel()`). Such a bound leaves every causal pair in.
    static func spansMaskLength(_ bound: Node, _ mask: MaskMod, _ constructor: CallSite, _ facts: PythonFacts) -> Bool {
        let lengths = Set([facts.argument(of: constructor, "Q_LEN", position: 3), facts.argument(of: constructor, "KV_LEN", position: 4)]
            .compactMap { $0.map { facts.compact(facts.unwrapped($0)) } })
        guard !lengths.isEmpty else { return false }
        let indices = Set([mask.queryIndex, mask.keyIndex].compactMap { $0 })
        for n in facts.descendants(of: bound) where n.type == "identifier" && !indices.contains(n.text) && n.parent?.type != "attribute" {
            var spellings = [facts.compact(n)]
            var current = n
            for _ in 0..<2 {
                // Also a name the mask function captures from the function around it.
                let bound = facts.dataflow.bindings(of: current.text, at: current).compactMap { binding -> Node? in
                    if case .value = binding.kind { return binding.node }
                    return nil
                }
                guard bound.count == 1, let value = bound.first.map(facts.unwrapped) else { break }
                spellings.append(facts.compact(value))
                guard value.type == "identifier" else { break }
                current = value
            }
            if spellings.contains(where: lengths.contains) { return true }
        }
        return false
    }

    /// A comparison of a position difference with zero (`i - j >= 0`): causality, not a window.
    static func isCausalHalf(_ comparison: Node, _ facts: PythonFacts) -> Bool {
        guard comparison.type == "comparison_operator" else { return false }
        return comparison.namedChildren.contains { facts.value(of: $0)?.double == 0 }
    }

    /// Whether a dense mask's distance bound (`d < window`) is at least the number of positions the mask is built
    /// over (`torch.arange(seq_len)` in the same computation): such a band leaves every causal pair in.
    static func coversWholeSequence(_ band: Node, _ closure: [Node], _ facts: PythonFacts) -> Bool {
        guard band.type == "comparison_operator" else { return false }
        let windows = band.namedChildren.compactMap { facts.value(of: $0)?.double }
        guard let window = windows.max() else { return false }
        let sizes = closure.compactMap { n -> Double? in
            guard n.type == "call", facts.callSite(n).callee == "torch.arange", facts.callSite(n).positional.count == 1 else { return nil }
            return facts.value(of: facts.callSite(n).positional[0])?.double
        }
        guard let positions = sizes.max() else { return false }
        return window >= positions
    }

    /// The arguments of `from_kv_blocks` that list blocks (partial and full counts and indices), also spread from `*`
    /// arguments (`from_kv_blocks(*lists(partial), *lists(full), ...)`, see `PythonFacts.argument(of:_:position:)`).
    static func blockListArguments(_ call: CallSite, _ facts: PythonFacts) -> [Node] {
        [("kv_num_blocks", 0), ("kv_indices", 1), ("full_kv_num_blocks", 2), ("full_kv_indices", 3)].compactMap {
            facts.argument(of: call, $0.0, position: $0.1)
        }
    }

    /// A distance bound on block indices, or a clamp of block counts, in what `from_kv_blocks` lists.
    static func blockWindow(_ call: CallSite, _ facts: PythonFacts, _ flow: Dataflow) -> Node? {
        let closure = flow.closure(of: blockListArguments(call, facts))
        let found = closure.first { node in
            if node.type == "comparison_operator" { return facts.boundsDistance(node) }
            guard node.type == "call" else { return false }
            let clamp = facts.callSite(node)
            switch clamp.name {
            case "clamp_max", "minimum": return true
            case "clamp": return clamp.keywords["max"] != nil || clamp.positional.count >= 3
            default: return false
            }
        }
        return found ?? kernelBlockWindow(closure, facts)
    }

    /// A window a kernel applies to the block matrix the block lists are made from: a launch in the same function as
    /// one of the lists' sources writes a tensor named there (`block_map_kernel[grid](..., partial_dense, ...)`) with a
    /// value that bounds the difference of block indices (`in_window = (qb - kb) < win`, followed through the kernel's
    /// locals). The comparison, or nil.
    static func kernelBlockWindow(_ closure: [Node], _ facts: PythonFacts) -> Node? {
        let names = Set(closure.filter { $0.type == "identifier" }.map(\.text))
        let functions = Set(closure.compactMap { facts.enclosingFunction($0)?.node })
        for launch in facts.kernelLaunches {
            guard let scope = facts.enclosingFunction(launch.call.node)?.node, functions.contains(scope) else { continue }
            for store in facts.descendants(of: launch.kernel.node) where store.type == "call" && facts.callSite(store).name == "store" {
                let write = facts.callSite(store)
                guard write.positional.count >= 2, let pointer = facts.kernelPointer(write.positional[0], launch),
                      let destination = launch.arguments[pointer].map(facts.unwrapped), destination.type == "identifier",
                      names.contains(destination.text) else { continue }
                // The stored value and the kernel locals it is computed from.
                var pending = [write.positional[1]], seen = Set<Node>()
                while let value = pending.popLast(), seen.count < 200 {
                    guard seen.insert(value).inserted else { continue }
                    for n in facts.descendants(of: value) {
                        if n.type == "comparison_operator", facts.boundsDistance(n) { return n }
                        if n.type == "identifier", let local = facts.latestValue(of: n.text, before: n), facts.isInside(local, launch.kernel.node) {
                            pending.append(local)
                        }
                    }
                }
            }
        }
        return nil
    }

    /// A `tril`/`triu` with a negative or computed diagonal, or a bounded position difference.
    func isBand(_ node: Node, _ facts: PythonFacts) -> Bool {
        if node.type == "comparison_operator" { return facts.boundsDistance(node) }
        guard node.type == "call" else { return false }
        let call = facts.callSite(node)
        guard ["tril", "triu"].contains(call.name) else { return false }
        let diagonal = call.keywords["diagonal"] ?? (call.receiver == nil ? call.positional.dropFirst().first : call.positional.first)
        guard let diagonal else { return false }
        if let value = facts.value(of: diagonal)?.double { return value < 0 || value > 1 }
        return true
    }
}
