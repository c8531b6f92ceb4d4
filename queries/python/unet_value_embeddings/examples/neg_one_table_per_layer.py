# example: 12 value-embedding chunks, one per layer, each used once (decoder layer i gets vi[6 + i]); no sharing, so NOT the U-net pattern.
import torch
from torch import nn


class GPT(nn.Module):
    def __init__(self, blocks, vocab=50304, dim=768, n_layer=12):
        super().__init__()
        self.num_encoder_layers = n_layer // 2
        self.num_decoder_layers = n_layer - self.num_encoder_layers
        self.skip_weights = nn.Parameter(torch.ones(self.num_decoder_layers))
        self.wte = nn.Embedding(vocab, dim)
        self.vte = nn.Embedding(vocab, dim * n_layer)
        self.h = blocks

    def forward(self, idx):
        x = x0 = self.wte(idx[None])
        vi = self.vte(idx[None]).chunk(12, dim=-1)
        skips = []
        for i in range(self.num_encoder_layers):
            x = self.h[i](x, vi[i], x0)
            skips.append(x)
        for i in range(self.num_decoder_layers):
            x = x + self.skip_weights[i] * skips.pop()
            x = self.h[self.num_encoder_layers + i](x, vi[self.num_encoder_layers + i], x0)
        return x
