# example: queries and keys go through rms, a module of the file that only calls the lambda it was built with (rms = Lambda(lambda t: F.rms_norm(t, ...))), before attention; present.
import torch.nn.functional as F
from torch import nn

class Lambda(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, *args):
        return self.fn(*args)


rms = Lambda(lambda t: F.rms_norm(t, (t.size(-1),)))


class Attention(nn.Module):
    def __init__(self, dim, n_head):
        super().__init__()
        self.n_head, self.hd = n_head, dim // n_head
        self.q = nn.Linear(dim, dim, bias=False)
        self.k = nn.Linear(dim, dim, bias=False)
        self.v = nn.Linear(dim, dim, bias=False)
        self.o = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q = self.q(x).view(B, T, self.n_head, self.hd)
        k = self.k(x).view(B, T, self.n_head, self.hd)
        v = self.v(x).view(B, T, self.n_head, self.hd)
        q, k = rms(q), rms(k)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.o(y.transpose(1, 2).reshape(B, T, C))
