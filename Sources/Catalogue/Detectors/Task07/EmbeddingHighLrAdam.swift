import Parsing
import TreeSitterKit

/// `embedding_high_lr_adam`: the token embedding gets its own high-LR Adam, the output head a small-LR one.
///
/// Requires an Adam-family optimizer or parameter group holding the token-embedding table but not the head, with
/// a learning rate of at least 0.1, and a different Adam-family optimizer or group holding the output head with at
/// most a tenth of that rate. Parameters are recognized by what they are (`nn.Embedding` table, the weight that
/// produces the logits, `.parameters()` of either, lists and names built from them, a name test joined by `and` to a
/// matrix test, `p.dim() >= 2 and n.startswith("transformer.wte.")`) and learning rates are
/// resolved where they are set, also once per row of a table keyed by enumeration members that a loop walks and
/// routes by tests of the member (`PythonFacts.memberRowSlots`: `for family, params in T.items(): if family.rule ==
/// "adam": Adam(params, **adam_spec(family))`, the rate read off that row's member), or once per call of a factory
/// that reads its rate from its `**kw` (`make_optimizer("adam", groups["embed"], lr=0.3)` with `Adam(params,
/// lr=kw["lr"])`, see `PythonFacts.keywordsEntry`), its parameters possibly a bucket a helper fills by name prefix
/// rules (`param_groups(model, rules=[("embed", "transformer.wte."), ...])`, see `PythonFacts.helperFilledKinds`); an
/// update function handed a base rate times a schedule multiplier every step (`adam_step(embed_w, ..., lr=args.embed_lr
/// * mult)` with `mult = lr_multiplier(step)`) has the base rate (see `PythonFacts.scaledBaseRates`); a builder lambda
/// chosen from a table once per key of a loop over the groups (`makers[spec["kind"]](buckets[part], spec)`) gives one
/// slot per key (see `PythonFacts.keyedRuns`). Rejects one optimizer for embedding and head together, similar rates, swapped
/// rates, and an embedding trained by SGD or Muon. Examples: `queries/python/embedding_high_lr_adam/examples/`.
struct EmbeddingHighLrAdam: Detector {
    let id = "embedding_high_lr_adam"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let slots = facts.optimizerSlots.filter(\.optimizer.family.isAdamFamily)
        for embedding in slots where embedding.kinds.contains(.embedding) && !embedding.kinds.contains(.head) {
            guard let high = embedding.learningRates.first, high >= 0.1 else { continue }
            for head in slots where head.site != embedding.site && head.kinds.contains(.head) && !head.kinds.contains(.embedding) {
                guard let low = head.learningRates.first, low <= high / 10 else { continue }
                return [facts.evidence(embedding.site, "embedding Adam at lr \(high)"), facts.evidence(head.site, "head Adam at lr \(low)")]
            }
        }
        return []
    }
}
