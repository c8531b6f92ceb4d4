# example: the same normalizing hook, registered on the value and output projections only, so queries and keys stay raw; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class HeadwiseRMS:
    def __init__(self, heads, dim):
        self.heads, self.dim = heads, dim

    def __call__(self, module, inputs, out):
        b, t, _ = out.shape
        normed = F.rms_norm(out.view(b, t, self.heads, self.dim), (self.dim,))
        return normed.view(b, t, self.heads * self.dim)


class Attention(nn.Module):
    def __init__(self, width=256, heads=4):
        super().__init__()
        self.heads, self.dim = heads, width // heads
        self.wq = nn.Linear(width, width, bias=False)
        self.wk = nn.Linear(width, width, bias=False)
        self.wv = nn.Linear(width, width, bias=False)
        self.wo = nn.Linear(width, width, bias=False)
        hook = HeadwiseRMS(heads, self.dim)
        self.wv.register_forward_hook(hook)
        self.wo.register_forward_hook(hook)

    def forward(self, x):
        b, t, c = x.shape
        q = self.wq(x).view(b, t, self.heads, self.dim).transpose(1, 2)
        k = self.wk(x).view(b, t, self.heads, self.dim).transpose(1, 2)
        v = self.wv(x).view(b, t, self.heads, self.dim).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.wo(y.transpose(1, 2).reshape(b, t, c))


print(Attention()(torch.randn(2, 8, 256)).shape)
