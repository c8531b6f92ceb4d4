# example: Embedding and its RMSNorm packaged as one nn.Sequential "embed" stage; its output is the residual stream; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.norm = nn.RMSNorm(d)
        self.fc = nn.Linear(d, d, bias=False)

    def forward(self, x):
        return x + F.relu(self.fc(self.norm(x))).square()


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n_layer=12):
        super().__init__()
        self.embed = nn.Sequential(nn.Embedding(vocab, d), nn.RMSNorm(d, elementwise_affine=False))
        self.blocks = nn.Sequential(*[Block(d) for _ in range(n_layer)])
        self.head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        return self.head(self.blocks(self.embed(idx)))


model = GPT()
