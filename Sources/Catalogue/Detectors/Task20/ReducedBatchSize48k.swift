/// `reduced_batch_size_48k`: each GPU trains on 48 * 1024 = 49,152 tokens per step (393,216 on 8 GPUs).
///
/// Requires a token count that sizes the training data and resolves to 49,152 per device (a sequence length,
/// per-rank slice or loader batch) or 393,216 per step across the 8 benchmark ranks: a setting (dataclass field,
/// constant, argparse default, config entry) or literal whose value reaches a loader or generator of the file,
/// a slice of the token stream, a `split` of the batch, or a position advance, in training code (a module statement writing the same path again, as a notebook's later cell, replaces an earlier
/// trial value for the code after it). Validation
/// code (a function named for it, code after `model.eval()` in its block, `torch.no_grad()`, names such as
/// `val_batch_size`) does not count, nor do sizes that only allocate buffers or size rotary caches
/// (`torch.arange`, `max(seq_len, val_seq_len)`). Examples: `queries/python/reduced_batch_size_48k/examples/`.
struct ReducedBatchSize48k: Detector {
    let id = "reduced_batch_size_48k"
    static let targets: Set<Int> = [49_152, 393_216]

    func detect(_ facts: PythonFacts) -> [Evidence] {
        var seen = Set<Int>()
        return facts.tokenCountUses().filter { use in
            Self.targets.contains(use.value) && !use.validation && !(use.name.map(facts.isValidationName) ?? false)
        }.compactMap { use in
            guard seen.insert(use.source.startByte).inserted else { return nil }
            let per = use.value == 49_152 ? "per GPU" : "per step (49,152 per GPU on 8)"
            return facts.evidence(use.source, "training batch of \(use.value) tokens \(per)")
        }
    }
}
