import Parsing
import TreeSitterKit

/// `trapezoidal_lr_schedule`: warmup-stable-decay; the LR stays at its peak, then falls linearly to its floor over
/// the last part of the run.
///
/// Requires a schedule that drives an optimizer (a function or lambda given to `LambdaLR`, a function whose result
/// is written to `param_group["lr"]` directly, through a local or through a method of the file, or a
/// `SequentialLR` of `LinearLR` / `ConstantLR` / `LambdaLR` phases; an `["lr"]` assignment computed inline in the training
/// loop, also from a local set by an `if` / `elif` / `else` chain, or in a function the script registers as a trainer callback
/// that the loop runs each pass with the trainer, its counter read as `trainer.iter_num`, see
/// `PythonFacts.dispatchedSteppedRuns(of:)`; a callable schedule object scaled by an operator
/// its class overloads to return `peak * self(step)`, `Trapezoid(n, 256, 2000) * lr`; the closure a general helper with
/// several kinds returns for the kind its call selects, `make_schedule(kind="trapezoid", ...)` or `return table[kind]`,
/// see `PythonFacts.selectedReturns(of:at:)`; the rate method of a scheduler class
/// that counts its own steps, `self.num_steps += 1` then `group["lr"] = self.get_lr()`), evaluated step by step over the run (a
/// breakpoint table read by a generic piecewise function, `for (x0, y0), (x1, y1) in zip(table, table[1:])`, too): a
/// plateau at the peak over at least 5% of the run, then a linear decay that starts inside the run and reaches
/// at most half the peak at the end. Any warmup before the plateau and any floor are accepted. Rejects a linear
/// decay that starts right after warmup, cosine decay (even with a floor plateau), step decay, and a
/// `warmdown_iters` setting no schedule reads. Examples: `queries/python/trapezoidal_lr_schedule/examples/`.
struct TrapezoidalLrSchedule: Detector {
    let id = "trapezoidal_lr_schedule"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        facts.scheduleCurves.filter(\.isTrapezoid).map { facts.evidence($0.site, "constant-then-linear-decay LR schedule") }
    }
}
