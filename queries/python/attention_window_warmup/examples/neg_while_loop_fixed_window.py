# example: the same `while True` loop counting its steps, but the window handed to the model is computed once before the loop and never changes; absent.
import torch
from torch.nn.attention.flex_attention import create_block_mask

max_iters = 1750


class Net(torch.nn.Module):
    def forward(self, x, y, window):
        def mask_mod(b, h, q, kv):
            return (q >= kv) & (q - kv < window)

        mask = create_block_mask(mask_mod, None, None, x.numel(), x.numel())
        return self.loss(x, y, mask)


def train(model, batches, opt, accum=2):
    it = 0
    window = torch.tensor(1024, dtype=torch.int32, device="cuda")
    while True:
        if it == max_iters:
            break
        for _ in range(accum):
            x, y = next(batches)
            loss = model(x, y, window)
            loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        it += 1
