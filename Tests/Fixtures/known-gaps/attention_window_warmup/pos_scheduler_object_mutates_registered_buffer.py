# gap: A scheduler object mutates a registered buffer on the model (no argument passing): the model's mask reads self.window_blocks, and the trainer fills it with a linearly growing number of 64-token blocks every step; positive.
import torch
from torch import nn
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


class WindowRamp:
    def __init__(self, total_steps, lo_tokens=64, hi_tokens=1792, granule=64):
        self.total, self.lo, self.hi, self.granule = total_steps, lo_tokens, hi_tokens, granule

    def blocks_at(self, step):
        tokens = self.lo + (self.hi - self.lo) * min(step / self.total, 1.0)
        return int(tokens // self.granule)


class Attn(nn.Module):
    def __init__(self, dim=768, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.register_buffer("window_blocks", torch.tensor(1, dtype=torch.int32), persistent=False)

    def forward(self, x):
        T = x.size(1)
        w = self.window_blocks * 64
        bm = create_block_mask(lambda b, h, q, kv: (q >= kv) & (q - kv < w), None, None, T, T, device=x.device)
        q, k, v = self.qkv(x).view(1, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        return flex_attention(q, k, v, block_mask=bm).transpose(1, 2).reshape(1, T, -1)


def fit(model: Attn, data, optimizer, total_steps=1750):
    ramp = WindowRamp(total_steps)
    for step, (x, y) in enumerate(data):
        model.window_blocks.fill_(ramp.blocks_at(step))
        out = model(x)
        loss = torch.nn.functional.mse_loss(out, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
