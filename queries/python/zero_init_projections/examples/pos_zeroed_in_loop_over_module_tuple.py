# example: the attention output projection and the MLP down projection are zeroed in one loop over a tuple of
# the two modules; positive.
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d=512, heads=8):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.attn_out = nn.Linear(d, d, bias=False)
        self.widen = nn.Linear(d, 4 * d, bias=False)
        self.narrow = nn.Linear(4 * d, d, bias=False)
        for layer in (self.attn_out, self.narrow):
            nn.init.zeros_(layer.weight)

    def forward(self, x):
        h = F.rms_norm(x, (x.size(-1),))
        b, t, d = h.shape
        q, k, v = self.qkv(h).view(b, t, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.attn_out(y.transpose(1, 2).reshape(b, t, d))
        return x + self.narrow(F.relu(self.widen(F.rms_norm(x, (d,)))).square())
