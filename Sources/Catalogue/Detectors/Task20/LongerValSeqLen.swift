import Foundation
import Parsing
import TreeSitterKit

/// `longer_val_seq_len`: validation reads longer sequences than training, through its own length setting.
///
/// Requires a token count that sizes validation data (in a function named for validation, a block that calls
/// `model.eval()` or runs under `torch.no_grad()`, or assigned to a validation-named size such as
/// `val_batch_size`) read from a setting that training does not use, resolving to more than the length that
/// sizes training data (or, when training's use is not visible, more than the length paired with it in
/// `max(seq_len, val_seq_len)`, the rotary table's size) at least four times over, as the innovation's 256K against
/// 64K. The ratio is reported. Rejects validation sized by the
/// training length, a validation length declared but never used, one equal to or shorter than training's, and a
/// global validation batch (the world size times a validation length) weighed against per-rank training counts, a
/// validation count equal to a count that sizes training data under another name (`val_bs = world_size *
/// seq_len` while training splits by `seq_len`): that one is not longer; validation that cuts its batch into pieces
/// before the forward (`for xc in x.split(L): model(xc)`) reads no longer sequences either, even when a named factor of training's
/// batch (`TOKENS_PER_ROW` in `8 * 64 * TOKENS_PER_ROW`) is a smaller number. Counts held under validation names
/// (`val_bs`) are never taken for training's. Examples:
/// `queries/python/longer_val_seq_len/examples/`.
struct LongerValSeqLen: Detector {
    let id = "longer_val_seq_len"
    /// The innovation's own ratio: validation on four times the length (256K tokens against 64K), also against a training
    /// length cut since (256K against 48K).
    static let minimumRatio = 3.99

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let uses = facts.tokenCountUses()
        let training = uses.filter { !$0.validation && $0.name != nil }
        let trainingNames = Set(training.compactMap(\.name))
        // A count held under a validation name (`val_bs = world_size * args.val_seq_len`, read outside an eval block)
        // is validation's own batch, not a count that sizes training data: it never makes the validation length
        // "training's under another name" (a world size the resolver reads as 1 would make the two equal).
        // A count in a function validation calls too (a loader's `batch_size // world_size`, called once for training
        // and once for validation) is no one count of training's: its value may be validation's.
        func sharedWithValidation(_ node: Node) -> Bool {
            guard let function = facts.enclosingFunction(node) else { return false }
            return facts.dataflow.callSites(of: function.node).contains { facts.isValidationContext($0.call.node) }
        }
        let trainingValues = Set(uses.filter { !$0.validation && !($0.name.map(facts.isValidationName) ?? false)
            && !sharedWithValidation($0.source) }.map(\.value))
        // A validation count that is the world size times another validation count is the global batch of a per-rank
        // length (`val_bs = world_size * args.val_seq_len`, the launcher's world size read as the benchmark's 8): it is
        // judged by that length, never against training's per-rank counts.
        let worldSize = Int(PythonFacts.benchmarkWorldSize)
        // Validation batches cut into pieces before the forward (`for xc, yc in zip(x.split(L), y.split(L)):
        // model(xc, yc)`): the model sees sequences of a piece's length, not the batch's.
        let pieces = forwardedPieces(facts)
        let validationValues = Set(uses.filter(\.validation).map(\.value))
        var evidence: [Evidence] = []
        var seen = Set<Int>()
        for use in uses where use.validation {
            if use.value % worldSize == 0, validationValues.contains(use.value / worldSize) { continue }
            guard let name = use.name, !trainingNames.contains(name), !trainingValues.contains(use.value),
                  seen.insert(use.source.startByte).inserted else { continue }
            if pieces.contains(where: { $0.map { $0 < use.value } ?? true }) { continue }
            var shorter = training.filter { $0.value < use.value && $0.name != nil }.map(\.value)
            if training.isEmpty { shorter = pairedInMax(name, value: use.value, facts) }
            guard let reference = shorter.max() else { continue }
            let ratio = Double(use.value) / Double(reference)
            // Four times longer at least (the record's is 256K against 48K): a validation length left where it was while
            // training got shorter (64K against 48K), or only doubled, is not this change.
            guard ratio >= Self.minimumRatio else { continue }
            evidence.append(facts.evidence(use.source, "validation sequences of \(use.value) tokens (\(String(format: "%.3g", ratio))x training's \(reference))"))
        }
        return evidence
    }

    /// The lengths of the pieces validation forwards its batch in: a loop in a validation context (see
    /// `PythonFacts.isValidationContext`) over the pieces of a tensor (`x.split(L)`, `torch.split(x, L)`, also zipped;
    /// `x.chunk(n)`, of unknown length) whose body calls something with a piece as its first argument (`model(xc, yc)`).
    /// Nil entries are pieces of a length that cannot be read.
    func forwardedPieces(_ facts: PythonFacts) -> [Int?] {
        var lengths: [Int?] = []
        for loop in facts.nodes(ofType: "for_statement") where facts.isValidationContext(loop) {
            guard let iterable = loop.child(byField: "right"), let body = loop.child(byField: "body") else { continue }
            let cuts = ([iterable] + facts.descendants(of: iterable)).filter { n in
                n.type == "call" && ["split", "chunk", "tensor_split"].contains(facts.callSite(n).name)
            }
            let variables = Set(facts.loopVariables(loop))
            guard !cuts.isEmpty, facts.descendants(of: body).contains(where: { n in
                guard n.type == "call", let first = facts.callSite(n).positional.first.map(facts.unwrapped) else { return false }
                return first.type == "identifier" && variables.contains(first.text)
            }) else { continue }
            for cut in cuts.map(facts.callSite) {
                let size = cut.name == "split" ? (cut.receiver == nil ? cut.argument("split_size_or_sections", position: 1) : cut.argument("split_size", position: 0)) : nil
                lengths.append(size.flatMap { facts.value(of: $0)?.double }.map { Int($0) })
            }
        }
        return lengths
    }

    /// Values of the other arguments of `max(...)` calls that take the validation length, when smaller.
    func pairedInMax(_ name: String, value: Int, _ facts: PythonFacts) -> [Int] {
        facts.calls(withCallee: "max").filter { $0.positional.count >= 2 }.flatMap { call -> [Int] in
            guard call.positional.contains(where: { SettingsTable.bareName(of: $0) == name }) else { return [] }
            return call.positional.filter { SettingsTable.bareName(of: $0) != name }.compactMap { arg -> Int? in
                guard case .int(let v)? = facts.value(of: arg), v < value else { return nil }
                return v
            }
        }
    }
}
