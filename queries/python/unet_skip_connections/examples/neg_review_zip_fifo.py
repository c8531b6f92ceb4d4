# example: encoder outputs collected in order and zipped with the decoder blocks as-is (encoder 0 -> decoder 0), not mirrored; negative (FIFO pairing).
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, d=512, n_layer=12):
        super().__init__()
        half = n_layer // 2
        self.enc = nn.ModuleList(nn.Sequential(nn.RMSNorm(d), nn.Linear(d, d)) for _ in range(half))
        self.dec = nn.ModuleList(nn.Sequential(nn.RMSNorm(d), nn.Linear(d, d)) for _ in range(half))
        self.w = nn.Parameter(torch.ones(half))

    def forward(self, x):
        saved = []
        for blk in self.enc:
            x = x + blk(x)
            saved.append(x)
        for blk, s, w in zip(self.dec, saved, self.w):
            x = x + blk(x + w * s)
        return x


y = Net()(torch.randn(2, 8, 512))
