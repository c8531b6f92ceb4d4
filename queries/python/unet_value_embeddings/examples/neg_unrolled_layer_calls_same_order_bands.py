# example: twelve layers called one statement each reuse the six value-table bands in the same order (0..5, 0..5), not mirrored; negative (near miss).
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.v = nn.Linear(d, d)
        self.lam = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, ve):
        v = self.v(x)
        if ve is not None:
            v = self.lam * v + (1 - self.lam) * ve
        return x + v


class GPT(nn.Module):
    def __init__(self, V=50304, d=768):
        super().__init__()
        self.d = d
        self.embed = nn.Embedding(V, d)
        self.value_table = nn.Embedding(V, 6 * d)
        self.layer0 = Block(d)
        self.layer1 = Block(d)
        self.layer2 = Block(d)
        self.layer3 = Block(d)
        self.layer4 = Block(d)
        self.layer5 = Block(d)
        self.layer6 = Block(d)
        self.layer7 = Block(d)
        self.layer8 = Block(d)
        self.layer9 = Block(d)
        self.layer10 = Block(d)
        self.layer11 = Block(d)

    def forward(self, idx):
        x = self.embed(idx)
        d = self.d
        row = self.value_table(idx)
        tv0 = row[..., 0 * d:1 * d]
        tv1 = row[..., 1 * d:2 * d]
        tv2 = row[..., 2 * d:3 * d]
        tv3 = row[..., 3 * d:4 * d]
        tv4 = row[..., 4 * d:5 * d]
        tv5 = row[..., 5 * d:6 * d]
        x = self.layer0(x, tv0)
        x = self.layer1(x, tv1)
        x = self.layer2(x, tv2)
        x = self.layer3(x, tv3)
        x = self.layer4(x, tv4)
        x = self.layer5(x, tv5)
        x = self.layer6(x, tv0)
        x = self.layer7(x, tv1)
        x = self.layer8(x, tv2)
        x = self.layer9(x, tv3)
        x = self.layer10(x, tv4)
        x = self.layer11(x, tv5)
        return x
