import Parsing
import TreeSitterKit

/// `untied_lm_head`: the output head has its own weight, separate from the token embedding.
///
/// Requires a token embedding (an `nn.Embedding`, or a parameter used as the table of `F.embedding`) and an
/// output head recognized by what it does (the last projection of a forward that looks tokens up, or a linear
/// layer shaped `d -> vocab`) whose weight is not the embedding's. Rejects logits computed with the embedding
/// matrix (`F.linear(x, wte.weight)`, `x @ wte.weight.T`, `einsum("btd,vd->btv", h, wte.weight)`, even when a head
/// layer is declared beside it) and any assignment that makes the two one tensor (`wte.weight = lm_head.weight`, the
/// reverse, `nn.Parameter(wte.weight)`, also `dst.weight = src.weight` in a loop over listed `(dst, src)` pairs, see
/// `ModelView.sharedWeights`), wherever it is placed, unless it sits
/// in a method that every model the file builds overrides without calling it (`tie_weights` made a no-op by the
/// subclass that is trained; see `PythonFacts.isOverriddenOnBuiltObjects`). Copying values
/// at init (`copy_`, `clone`) is untied. A library model (`GPT2LMHeadModel(GPT2Config(...))`) is untied when its
/// configuration sets `tie_word_embeddings=False`. Examples: `queries/python/untied_lm_head/examples/`.
struct UntiedLmHead: Detector {
    let id = "untied_lm_head"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let model = facts.model()
        guard !model.embeddingNames.isEmpty else {
            // A library model whose configuration unties them (`GPT2Config(..., tie_word_embeddings=False)`; the
            // library ties them by default).
            return facts.libraryModelConfigs.compactMap { config in
                guard let value = facts.libraryConfigValue("tie_word_embeddings", of: config), value.type == "false" else { return nil }
                return facts.evidence(value, "library model configured with its own output head")
            }.prefix(1).map { $0 }
        }
        return model.untiedHeads.prefix(1).map { facts.evidence($0.node, "output head \($0.name) has its own weight") }
    }
}

