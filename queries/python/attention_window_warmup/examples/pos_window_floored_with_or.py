# example: the window grows with progress, rounded up to whole 128-token blocks and floored with `or` (`128 * -(-int(1728 * step / total) // 128) or 128`: 0 blocks at the start reads as one block); present.
import torch

TOTAL = 3000


def run(model, batches, opt):
    for step in range(TOTAL):
        inp, tgt = next(batches)
        window = 128 * -(-int(1728 * step / TOTAL) // 128) or 128
        model(inp, tgt, torch.tensor(window // 128, dtype=torch.int32, device="cuda")).backward()
        opt.step()
        model.zero_grad(set_to_none=True)
