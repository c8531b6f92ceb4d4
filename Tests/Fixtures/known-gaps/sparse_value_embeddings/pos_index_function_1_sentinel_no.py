# gap: Index function with a -1 sentinel (no None list): slot_for(i) maps the 3 outer layers on each side to a table, middle layers get -1 and the block scales v alone; positive.
import torch
from torch import nn

N_LAYER, N_TABLES = 12, 3


def slot_for(layer: int) -> int:
    if layer < N_TABLES:
        return layer
    if layer >= N_LAYER - N_TABLES:
        return layer - (N_LAYER - N_TABLES)
    return -1


class Block(nn.Module):
    def __init__(self, attn, mlp, layer: int):
        super().__init__()
        self.attn, self.mlp = attn, mlp
        self.slot = slot_for(layer)
        self.lambdas = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, x, value_tables_out):
        q, k, v = self.attn.project(x)
        if self.slot >= 0:
            v = self.lambdas[0] * v + self.lambdas[1] * value_tables_out[self.slot]
        else:
            v = self.lambdas[0] * v
        x = x + self.attn.attend(q, k, v)
        return x + self.mlp(x)


class Model(nn.Module):
    def __init__(self, make_attn, make_mlp, vocab=50304, dim=768):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.tables = nn.ModuleList(nn.Embedding(vocab, dim) for _ in range(N_TABLES))
        self.blocks = nn.ModuleList(Block(make_attn(), make_mlp(), i) for i in range(N_LAYER))

    def forward(self, ids):
        x = self.tok(ids)
        looked = [t(ids) for t in self.tables]
        for blk in self.blocks:
            x = blk(x, looked)
        return x
