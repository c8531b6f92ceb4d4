import Parsing
import TreeSitterKit

/// `padded_vocab`: the vocabulary dimension of the embedding / output head is padded from 50,257 to a multiple of
/// 64 or 128 (50,304).
///
/// Requires a linear layer's output size, an embedding table's size, or the leading size of a weight parameter
/// (`nn.Parameter(torch.zeros(V, d))`) that resolves, as the script computes it, to V with 50,257 < V <= 51,200
/// and V a multiple of 64: a literal, a config field or argparse default, arithmetic (`((v + 127) // 128) * 128`,
/// `math.ceil(v / 128) * 128`) or a rounding helper of the file (`next_multiple_of_n(vocab_size, n=128)`) run on
/// its arguments. Rejects 50,257, a padded size not aligned to 64 (50,260), 50,304 only in a comment or an unused
/// constant, and padding of another dimension. Examples: `queries/python/padded_vocab/examples/`.
struct PaddedVocab: Detector {
    let id = "padded_vocab"
    static let tensorFactories: Set<String> = ["torch.zeros", "torch.empty", "torch.randn", "torch.rand", "torch.ones", "torch.full"]

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let model = facts.model()
        let interpreter = ScriptInterpreter(facts)
        var evidence: [Evidence] = []
        for call in facts.calls {
            var sizes: [Node] = []
            if model.isLinearConstructor(call), let out = call.argument("out_features", position: 1) { sizes.append(out) }
            if facts.isEmbeddingConstructor(call), let rows = call.argument("num_embeddings", position: 0) { sizes.append(rows) }
            if Self.tensorFactories.contains(call.callee), let rows = call.positional.first, isParameter(call.node, facts) { sizes.append(rows) }
            for size in sizes {
                guard let v = interpreter.number(size) ?? facts.evaluate(size), v > 50_257, v <= 51_200,
                      v.truncatingRemainder(dividingBy: 64) == 0 else { continue }
                evidence.append(facts.evidence(call.node, "vocabulary dimension padded to \(Int(v))"))
            }
        }
        return evidence
    }

    /// Whether a tensor is created as a parameter (`nn.Parameter(torch.zeros(...))`, also through method chains).
    func isParameter(_ node: Node, _ facts: PythonFacts) -> Bool {
        facts.ancestors(of: node).prefix(4).contains { a in
            a.type == "call" && CallSite(node: a, imports: facts.imports).callee == "torch.nn.Parameter"
        }
    }
}
