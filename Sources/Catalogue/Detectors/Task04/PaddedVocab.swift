import Parsing
import TreeSitterKit

/// `padded_vocab`: the vocabulary dimension of the embedding / output head is padded from 50,257 to a multiple of
/// 64 or 128 (50,304).
///
/// Requires a linear layer's output size, an embedding table's size, or the leading size of a weight parameter
/// (`nn.Parameter(torch.zeros(V, d))`, either size of a 2-D weight tensor of a functional model) that resolves, as the script computes it, to V with 50,257 < V <= 51,200
/// and V a multiple of 64: a literal, a config field or argparse default, a name rounded up in place (`V += -V % 128`),
/// arithmetic (`((v + 127) // 128) * 128`,
/// `math.ceil(v / 128) * 128`) or a rounding helper of the file (`next_multiple_of_n(vocab_size, n=128)`) run on
/// its arguments, also a size parameter of an init helper read at each of its callers (`def dense(rows, cols):
/// torch.empty(rows, cols)` called with `cfg.vocab` of the config object the model is built with); or the `vocab_size` of a library model configuration (`GPT2Config(vocab_size=50304)`). Rejects 50,257, a padded size not aligned to 64 (50,260), 50,304 only in a comment or an unused
/// constant, padding of another dimension, and a padded input embedding next to an output head that keeps 50,257. Examples: `queries/python/padded_vocab/examples/`.
struct PaddedVocab: Detector {
    let id = "padded_vocab"
    static let tensorFactories: Set<String> = ["torch.zeros", "torch.empty", "torch.randn", "torch.rand", "torch.ones", "torch.full"]

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let model = facts.model()
        let interpreter = ScriptInterpreter(facts)
        var padded: [(call: Node, size: Double, isEmbedding: Bool)] = []
        var unpaddedHead = false
        for call in facts.calls {
            var sizes: [Node] = []
            var heads: [Node] = []
            if model.isLinearConstructor(call), let out = call.argument("out_features", position: 1) { heads.append(out) }
            let isEmbedding = facts.isEmbeddingConstructor(call)
            if isEmbedding, let rows = call.argument("num_embeddings", position: 0) { sizes.append(rows) }
            if Self.tensorFactories.contains(call.callee) {
                // A weight parameter (`nn.Parameter(torch.zeros(V, d))`), or a 2-D weight tensor of a functional
                // model whose vocabulary may be either dimension (`torch.zeros(d, V)`).
                if call.positional.count == 2 { sizes += call.positional } else if let rows = call.positional.first, isParameter(call.node, facts) { sizes.append(rows) }
            }
            for size in sizes + heads {
                for v in candidateSizes(size, interpreter, facts) where v >= 50_257 && v <= 51_200 {
                    if v.truncatingRemainder(dividingBy: 64) == 0 {
                        padded.append((call.node, v, isEmbedding))
                    } else if heads.contains(size) {
                        unpaddedHead = true
                    }
                }
            }
        }
        // A library model configured with a padded vocabulary (`GPT2Config(vocab_size=50304)`): the library sizes the
        // embedding and the head from it.
        for config in facts.libraryModelConfigs {
            guard let size = facts.libraryConfigValue("vocab_size", of: config),
                  let v = interpreter.number(size) ?? facts.evaluate(size), v >= 50_257, v <= 51_200 else { continue }
            if v.truncatingRemainder(dividingBy: 64) == 0 { padded.append((size, v, false)) }
        }
        // An untied output head that keeps an unpadded vocabulary: padding only the input table does not count.
        if unpaddedHead { padded.removeAll(where: \.isEmbedding) }
        return padded.map { facts.evidence($0.call, "vocabulary dimension padded to \(Int($0.size))") }
    }

    /// The sizes a dimension may have: its value as the script computes it; for a parameter of a helper that
    /// creates tensors for several callers (`def dense(rows, cols): return torch.empty(rows, cols)`, called as
    /// `dense(cfg.vocab, d)` and `dense(4 * d, d)`), what each caller passes, followed to the object it is read from
    /// (`ObjectFields.origins`).
    func candidateSizes(_ size: Node, _ interpreter: ScriptInterpreter, _ facts: PythonFacts) -> [Double] {
        let direct = interpreter.number(size) ?? facts.evaluate(size)
        let e = facts.unwrapped(size)
        // A parameter the function first rebinds (`num_tokens = pad(num_tokens)`) is read as the script computes it.
        if e.type == "identifier", facts.parameterOwner(of: e) != nil, facts.latestValue(of: e.text, before: e) == nil {
            let passed = facts.origins(of: e).compactMap { interpreter.number($0) ?? facts.evaluate($0) }
            if !passed.isEmpty { return passed }
        }
        return direct.map { [$0] } ?? []
    }

    /// Whether a tensor is created as a parameter (`nn.Parameter(torch.zeros(...))`, also through method chains).
    func isParameter(_ node: Node, _ facts: PythonFacts) -> Bool {
        facts.ancestors(of: node).prefix(4).contains { a in
            a.type == "call" && facts.callSite(a).callee == "torch.nn.Parameter"
        }
    }
}
