# example: the four attention projections are made by unpacking one generator of linears; the output projection
# and the MLP's down projection are zeroed in __init__; positive.
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d=512, heads=8):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.o = (nn.Linear(d, d, bias=False) for _ in range(4))
        self.up = nn.Linear(d, 4 * d, bias=False)
        self.down = nn.Linear(4 * d, d, bias=False)
        self.o.weight.data.zero_()
        self.down.weight.data.zero_()

    def forward(self, x):
        h = F.rms_norm(x, (x.size(-1),))
        b, t, d = h.shape
        q = self.q(h).view(b, t, self.heads, -1).transpose(1, 2)
        k = self.k(h).view(b, t, self.heads, -1).transpose(1, 2)
        v = self.v(h).view(b, t, self.heads, -1).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.o(y.transpose(1, 2).reshape(b, t, d))
        return x + self.down(F.relu(self.up(F.rms_norm(x, (d,)))).square())
