# example: every layer's q/k/v weights live in one (L, 3, d, d) bank walked by a zip loop; each layer's (3, d, d) slice
# is reshaped to (3d, d) and used in one product whose result is chunked into q, k and v; positive.
import torch
from torch import nn
import torch.nn.functional as F


class Trunk(nn.Module):
    def __init__(self, depth=12, d=768, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv_bank = nn.Parameter(torch.randn(depth, 3, d, d) * d ** -0.5)
        self.out_bank = nn.Parameter(torch.zeros(depth, d, d))

    def forward(self, x):
        b, t, d = x.shape
        for w_in, w_out in zip(self.qkv_bank, self.out_bank):
            h = F.rms_norm(x, (d,))
            q, k, v = (h @ w_in.reshape(3 * d, d).T).chunk(3, -1)
            q, k, v = (z.view(b, t, self.heads, -1).transpose(1, 2) for z in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + y.transpose(1, 2).reshape(b, t, d) @ w_out.T
        return x
