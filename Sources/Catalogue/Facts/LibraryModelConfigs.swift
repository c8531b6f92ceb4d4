import TreeSitterKit

/// Models a library builds from a configuration object: `GPT2LMHeadModel(GPT2Config(vocab_size=50304, ...))`,
/// `LlamaForCausalLM(LlamaConfig(...))`. The script never constructs the embedding or the head itself; the
/// configuration's keys decide them (`vocab_size`, `tie_word_embeddings`).
extension PythonFacts {
    /// Constructions of Hugging Face `transformers` model configurations.
    public var libraryModelConfigs: [CallSite] {
        memoized("libraryModelConfigs") { calls.filter { $0.callee.hasPrefix("transformers.") && $0.name.hasSuffix("Config") } }
    }

    /// What a library model configuration sets `key` to: a keyword of its construction, or an assignment to the
    /// attribute afterwards on the name it is bound to (`config.tie_word_embeddings = False`), the later one winning.
    public func libraryConfigValue(_ key: String, of config: CallSite) -> Node? {
        var value = config.keywords[key]
        guard let assignment = config.node.parent, assignment.type == "assignment",
              let name = assignment.child(byField: "left"), name.type == "identifier" else { return value }
        for write in nodes(ofType: "assignment") where write.startByte > config.node.endByte {
            guard let left = write.child(byField: "left"), left.type == "attribute",
                  left.child(byField: "object")?.text == name.text, left.child(byField: "attribute")?.text == key,
                  enclosingFunction(write)?.node == enclosingFunction(config.node)?.node else { continue }
            value = write.child(byField: "right")
        }
        return value
    }
}
