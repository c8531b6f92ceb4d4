# example: the same `or` spelling, but its left side is a fixed window that is never zero (`FULL or 128 * ...`), so the growing formula is never used; NOT present.
import torch

TOTAL = 3000
FULL = 1792


def run(model, batches, opt):
    for step in range(TOTAL):
        inp, tgt = next(batches)
        window = FULL or 128 * -(-int(1728 * step / TOTAL) // 128)
        model(inp, tgt, torch.tensor(window // 128, dtype=torch.int32, device="cuda")).backward()
        opt.step()
        model.zero_grad(set_to_none=True)
