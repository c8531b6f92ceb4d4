# example: a `while True` training loop that counts its own steps (`it += 1`) and stops at the last one; the window grows with the counter from 64 to 1792 tokens in 64-token steps and reaches the mask through the model call inside a gradient-accumulation loop; present.
import torch
from torch.nn.attention.flex_attention import create_block_mask

max_iters = 1750
w_lo, w_hi, w_step = 64, 1792, 64


def window_at(it):
    w = w_lo + it / max_iters * (w_hi - w_lo)
    return w_step * int(w // w_step)


class Net(torch.nn.Module):
    def forward(self, x, y, window):
        def mask_mod(b, h, q, kv):
            return (q >= kv) & (q - kv < window)

        mask = create_block_mask(mask_mod, None, None, x.numel(), x.numel())
        return self.loss(x, y, mask)


def train(model, batches, opt, accum=2):
    it = 0
    while True:
        if it == max_iters:
            break
        window = torch.tensor(window_at(it), dtype=torch.int32, device="cuda")
        for _ in range(accum):
            x, y = next(batches)
            loss = model(x, y, window)
            loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        it += 1
