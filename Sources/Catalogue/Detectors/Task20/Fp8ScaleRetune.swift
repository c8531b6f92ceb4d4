import Foundation

/// `fp8_scale_retune`: the FP8 head runs with weight scale 2^9 = 512 and gradient scale 2^19 = 524288.
///
/// Requires an FP8 head (see `fp8_lm_head`) whose scales, resolved where they reach the FP8 product, include
/// 512 and 524288: keyword or positional arguments of the FP8 op or of the wrappers around it, the head's
/// constructor arguments flowing into the attributes its linear class passes (or its parameter defaults when the
/// head's construction does not override them), and the fields of a dataclass instance spread as `**asdict(config)`
/// or `*astuple(config)` (also kept in an attribute, `self.fp8_args = astuple(scales)`, with `scales` what the head's
/// construction passes); values fold from
/// constants (`2.0**9`, `float(1 << 9)`, `512.0`). Rejects the first FP8 record's scales (32, 2^29) or any other
/// pair, new scales only as defaults the head's construction overrides, new scales on a non-head FP8 layer, and
/// no FP8 head. Examples: `queries/python/fp8_scale_retune/examples/`.
struct Fp8ScaleRetune: Detector {
    let id = "fp8_scale_retune"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        facts.fp8HeadUses.filter { use in
            use.scales.contains { abs($0 - 512) < 1e-9 } && use.scales.contains { abs($0 - 524_288) < 1e-6 }
        }.map { facts.evidence($0.node, "FP8 head scales w_s = 512, grad_s = 2^19") }
    }
}
