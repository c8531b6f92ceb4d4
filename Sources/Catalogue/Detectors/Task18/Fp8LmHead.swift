/// `fp8_lm_head`: the output head's matrix product runs in FP8 during training.
///
/// Requires an FP8 product (a function that casts its operands to a float8 dtype, named or chosen by name as
/// `getattr(torch, fmt)` with `fmt` from a configuration or an environment default (see `isFloat8`), and calls `torch._scaled_mm`,
/// itself or through a custom op, an autograd function or a wrapper) applied to the output head: invoked with
/// the head's weight, or on the way from the logits to the cross-entropy (also inside a forward hook on the head or a
/// `forward` replaced on the head's instance from outside, `head.forward = types.MethodType(fp8_forward, head)`, whose
/// result is the head call's; see `PythonFacts.forwardHooks(on:kind:)`), or as the `forward` of a linear
/// class that the head is constructed from with its FP8 flags on, or that the built head is switched to
/// (`model.lm_head.__class__ = FP8Head`); or torchao's `convert_to_float8_training`
/// with a filter that keeps the head (or no filter); or a head built as a Transformer Engine linear layer in a file
/// that enters an enabled `fp8_autocast` during training (see `PythonFacts.transformerEngineHeadUses`). The head is the model view's output head (last projection,
/// or a `d -> vocab` linear) or a module named as one. Rejects FP8 used only outside training (`not self.training`,
/// `torch.no_grad()`, evaluation code), FP8 only in other layers, float8 storage
/// upcast before a bf16 matmul, and float8 dtypes without `_scaled_mm`. Examples:
/// `queries/python/fp8_lm_head/examples/`.
struct Fp8LmHead: Detector {
    let id = "fp8_lm_head"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        facts.fp8HeadUses.map { facts.evidence($0.node, $0.note) }
    }
}
