# example: a wiring function builds the model from parts, GPT(embed=nn.Embedding(...), blocks=[...]); the model keeps the handed-in table in a field, looks the tokens up with it, and hands the normalized embedding to every block, which mixes it into its input with two learned weights; present.
import torch
import torch.nn.functional as F
from torch import nn


def rms(x):
    return F.rms_norm(x, (x.size(-1),))


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc = nn.Linear(dim, dim, bias=False)
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, x0):
        x = self.lambdas[0] * x + self.lambdas[1] * x0
        return x + self.fc(rms(x))


class GPT(nn.Module):
    def __init__(self, embed, blocks):
        super().__init__()
        self.embed = embed
        self.blocks = nn.ModuleList(blocks)

    def forward(self, idx):
        x = rms(self.embed(idx))
        x0 = x
        for block in self.blocks:
            x = block(x, x0)
        return x


def build_model(vocab=50304, dim=768, depth=12):
    return GPT(embed=nn.Embedding(vocab, dim), blocks=[Block(dim) for _ in range(depth)])


model = build_model()
