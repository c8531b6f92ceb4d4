import Parsing
import TreeSitterKit

/// FP8 through NVIDIA's Transformer Engine: its linear layers run their product in FP8 when called inside an enabled
/// `fp8_autocast` region (elsewhere they compute in the input's precision). A head built as such a layer and run in
/// such a region during training is an FP8 head, with no `_scaled_mm` of the file's own.
extension PythonFacts {
    /// Transformer Engine's layers that hold the weight of a linear product.
    static let transformerEngineLinears: Set<String> = [
        "transformer_engine.pytorch.Linear", "transformer_engine.pytorch.LayerNormLinear",
    ]

    /// The output head built as a Transformer Engine linear layer (`self.lm_head = te.Linear(d, vocab)`), when the file
    /// enters an enabled `fp8_autocast` in training code (see `enablesTransformerEngineFP8`).
    var transformerEngineHeadUses: [FP8HeadUse] {
        memoized("transformerEngineHeadUses") {
            let regions = calls.filter { call in call.callee.hasPrefix("transformer_engine.") && call.name == "fp8_autocast" }
            guard regions.contains(where: enablesTransformerEngineFP8) else { return [] }
            let model = self.model()
            return nodes(ofType: "assignment").compactMap { assignment -> FP8HeadUse? in
                guard let left = assignment.child(byField: "left"), let right = assignment.child(byField: "right"),
                      isHeadReference(left, model), let call = constructorCall(unparenthesized(right)),
                      Self.transformerEngineLinears.contains(call.callee) else { return nil }
                return FP8HeadUse(node: call.node, scales: [], note: "output head is a Transformer Engine linear layer run under fp8_autocast")
            }
        }
    }

    /// Whether an `fp8_autocast(...)` turns FP8 on for training: `enabled` left at its default (True), true, or the
    /// module's training flag, and not in code that runs only outside training (see `runsOnlyInEval`). `enabled=False`,
    /// a switch the configuration turns off, or `enabled=not self.training` is not.
    func enablesTransformerEngineFP8(_ region: CallSite) -> Bool {
        guard !runsOnlyInEval(region.node) else { return false }
        guard let enabled = region.argument("enabled", position: 0) else { return true }
        let flag = unwrapped(enabled)
        if flag.type == "not_operator", let inner = flag.child(byField: "argument"),
           unwrapped(inner).type == "attribute", unwrapped(inner).child(byField: "attribute")?.text == "training" { return false }
        return truth(of: flag) != false
    }
}
