# example: one wide value table split into per-layer lanes by einops (rearrange(..., "b t (k d) -> k b t d", k=n_enc)) and listed; the encoder layers read lanes[i], the decoder layers read the reversed list back = lanes[::-1]; positive.
import torch
from einops import rearrange
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.v = nn.Linear(d, d, bias=False)
        self.lamb = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, vi):
        v = self.v(x)
        v = (1 - self.lamb) * v + self.lamb * vi
        return x + v


class Net(nn.Module):
    def __init__(self, vocab=1000, d=64, depth=12):
        super().__init__()
        self.n_enc = depth // 2
        self.n_dec = depth - self.n_enc
        self.wte = nn.Embedding(vocab, d)
        self.vte = nn.Embedding(vocab, d * self.n_enc)
        self.h = nn.ModuleList([Block(d) for _ in range(depth)])

    def forward(self, idx):
        x = self.wte(idx)
        lanes = list(rearrange(self.vte(idx), "b t (k d) -> k b t d", k=self.n_enc))
        back = lanes[::-1]
        for i in range(self.n_enc):
            x = self.h[i](x, lanes[i])
        for i in range(self.n_dec):
            x = self.h[self.n_enc + i](x, back[i])
        return x
