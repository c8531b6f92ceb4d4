# example: one wide value-embedding table split into depth // 2 chunks; the helper maps layer i to chunk i on the way down and to i - depth // 2 on the way up (the depth read with len of the block list), so the decoder reuses the tables in the same order, not mirrored; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.proj = nn.Linear(dim, dim, bias=False)
        self.lambdas = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, x, ve):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        v = self.lambdas[0] * v + self.lambdas[1] * ve
        return x + self.proj(F.scaled_dot_product_attention(q, k, v, is_causal=True))


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, depth=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.num_down = depth // 2
        self.value_table = nn.Embedding(vocab, dim * self.num_down)
        self.blocks = nn.ModuleList([Block(dim) for _ in range(depth)])

    def table_of(self, i):
        n = len(self.blocks)
        return i if i < n // 2 else i - n // 2

    def forward(self, idx):
        x = self.embed(idx)
        tables = self.value_table(idx).chunk(self.num_down, dim=-1)
        for i, block in enumerate(self.blocks):
            x = block(x, tables[self.table_of(i)])
        return x
