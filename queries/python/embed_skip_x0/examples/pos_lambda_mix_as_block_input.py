# example: Closure style: forward defines a local `inject` lambda capturing x0 and each block's two-scalar parameter list; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d=640, h=10):
        super().__init__()
        self.h = h
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.out = nn.Linear(d, d, bias=False)
        self.scalars = nn.ParameterList([nn.Parameter(torch.tensor(1.0)), nn.Parameter(torch.tensor(0.0))])

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(F.rms_norm(x, (C,))).view(B, T, 3, self.h, -1).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return x + self.out(y.transpose(1, 2).reshape(B, T, C))


class Model(nn.Module):
    def __init__(self, vocab=50304, d=640, n=10):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(Block(d) for _ in range(n))

    def forward(self, idx):
        x0 = F.rms_norm(self.tok(idx), (self.tok.embedding_dim,))
        inject = lambda h, s: s[0] * h + s[1] * x0
        x = x0
        for blk in self.blocks:
            x = blk(inject(x, blk.scalars))
        return x
