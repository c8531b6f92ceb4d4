# example: a general schedule helper with several kinds, called with `**WINDOW_RAMP` whose kind is "quantized_shrink": the window the model reads falls from 1792 to 64 tokens over the run (the growing kind stays unused in the helper); negative.
import torch


def make_schedule(kind="constant", total=1, start=1.0, end=1.0, quantum=1):
    if kind == "quantized_linear":
        def grow(it):
            return quantum * ((it / total * (end - start) + start) // quantum)
        return grow
    elif kind == "quantized_shrink":
        def shrink(it):
            return quantum * ((it / total * (start - end) + end) // quantum)
        return shrink
    elif kind == "constant":
        return lambda it: end
    raise ValueError(kind)


WINDOW_RAMP = dict(kind="quantized_shrink", start=64, end=1792, quantum=64)


def run(model, batches, opt, train_steps=1400):
    window_at = make_schedule(total=train_steps, **WINDOW_RAMP)
    for step, (inp, tgt) in enumerate(batches):
        if step >= train_steps:
            break
        window = torch.tensor(int(window_at(step)), dtype=torch.int, device="cuda")
        model(inp, tgt, window).backward()
        opt.step()
        model.zero_grad(set_to_none=True)
