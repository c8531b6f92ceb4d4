# example: one wide vte = nn.Embedding(vocab, dim * 6) is looked up once and chunked into per-layer slices; a single table, so NOT split value embeddings.
import torch
from torch import nn


class GPT(nn.Module):
    def __init__(self, blocks, vocab_size=50304, n_embd=768, n_layer=12):
        super().__init__()
        self.num_encoder_layers = n_layer // 2
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab_size, n_embd),
            vte=nn.Embedding(vocab_size, n_embd * self.num_encoder_layers),
            h=blocks,
        ))

    def forward(self, idx):
        x = x0 = self.transformer.wte(idx[None])
        vi = self.transformer.vte(idx[None]).chunk(self.num_encoder_layers, dim=-1)
        n = self.num_encoder_layers
        for i in range(n):
            x = self.transformer.h[i](x, vi[i], x0)
        for i in range(n):
            x = self.transformer.h[n + i](x, vi[n - 1 - i], x0)
        return x
