# example: twelve layers held as numbered attributes and called one statement each; the first three and the last three get value tables, the middle six pass None; positive.
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
        self.vtab0 = nn.Embedding(V, d)
        self.vtab1 = nn.Embedding(V, d)
        self.vtab2 = nn.Embedding(V, d)
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
        ve0 = self.vtab0(idx)
        ve1 = self.vtab1(idx)
        ve2 = self.vtab2(idx)
        x = self.layer0(x, ve0)
        x = self.layer1(x, ve1)
        x = self.layer2(x, ve2)
        x = self.layer3(x, None)
        x = self.layer4(x, None)
        x = self.layer5(x, None)
        x = self.layer6(x, None)
        x = self.layer7(x, None)
        x = self.layer8(x, None)
        x = self.layer9(x, ve0)
        x = self.layer10(x, ve1)
        x = self.layer11(x, ve2)
        return x
