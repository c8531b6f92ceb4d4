# example: the decoder loop names the table module it takes (`shared = tables[n - 1 - j]`) and hands
# `shared(idx)` to the block: embedding modules called on the ids, mirrored across the middle.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d=768, n_head=6):
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.proj = nn.Linear(d, d, bias=False)
        self.lambdas = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, x, ve):
        B, T, C = x.shape
        q, k, v = self.qkv(F.rms_norm(x, (C,))).view(B, T, 3, self.n_head, -1).unbind(2)
        v = self.lambdas[0] * v + self.lambdas[1] * ve.view_as(v)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return x + self.proj(y.transpose(1, 2).reshape(B, T, C))


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n_layer=12):
        super().__init__()
        self.n = n_layer // 2
        self.wte = nn.Embedding(vocab, d)
        self.tables = nn.ModuleList([nn.Embedding(vocab, d) for _ in range(self.n)])
        self.blocks = nn.ModuleList([Block(d) for _ in range(n_layer)])
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        x = F.rms_norm(self.wte(idx), (768,))
        tables, n = self.tables, self.n
        for j in range(n):
            own = tables[j]
            x = self.blocks[j](x, own(idx))
        for j in range(n):
            shared = tables[n - 1 - j]
            x = self.blocks[n + j](x, shared(idx))
        return self.lm_head(F.rms_norm(x, (768,))).float()
