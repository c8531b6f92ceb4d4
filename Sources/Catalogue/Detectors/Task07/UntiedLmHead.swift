import Parsing
import TreeSitterKit

/// `untied_lm_head`: the output head has its own weight, separate from the token embedding.
///
/// Requires a token embedding (an `nn.Embedding`, or a parameter used as the table of `F.embedding`) and an
/// output head recognized by what it does (the last projection of a forward that looks tokens up, or a linear
/// layer shaped `d -> vocab`) whose weight is not the embedding's. Rejects logits computed with the embedding
/// matrix (`F.linear(x, wte.weight)`, `x @ wte.weight.T`) and any assignment that makes the two one tensor
/// (`wte.weight = lm_head.weight`, the reverse, `nn.Parameter(wte.weight)`), wherever it is placed. Copying values
/// at init (`copy_`, `clone`) is untied. Examples: `queries/python/untied_lm_head/examples/`.
struct UntiedLmHead: Detector {
    let id = "untied_lm_head"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let model = facts.model()
        guard !model.embeddingNames.isEmpty else { return [] }
        return model.untiedHeads.prefix(1).map { facts.evidence($0.node, "output head \($0.name) has its own weight") }
    }
}

