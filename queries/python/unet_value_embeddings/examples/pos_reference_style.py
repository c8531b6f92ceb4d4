# example: vte holds num_encoder_layers chunks; encoder layer i uses vi[i] and decoder layer i uses vi[num_encoder_layers - 1 - i], so tables are shared in mirrored order; present.
import torch
from torch import nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, blocks, vocab=50304, dim=768, n_layer=12):
        super().__init__()
        self.num_encoder_layers = n_layer // 2
        self.num_decoder_layers = n_layer - self.num_encoder_layers
        self.skip_weights = nn.Parameter(torch.ones(self.num_decoder_layers))
        self.wte = nn.Embedding(vocab, dim)
        self.vte = nn.Embedding(vocab, dim * self.num_encoder_layers)
        self.h = blocks  # each block: forward(x, vi, x0) mixes vi into its attention values

    def forward(self, idx):
        x = x0 = F.rms_norm(self.wte(idx[None]), (768,))
        vi = self.vte(idx[None]).chunk(self.num_encoder_layers, dim=-1)
        skips = []
        for i in range(self.num_encoder_layers):
            x = self.h[i](x, vi[i], x0)
            skips.append(x)
        for i in range(self.num_decoder_layers):
            x = x + self.skip_weights[i] * skips.pop()
            x = self.h[self.num_encoder_layers + i](x, vi[self.num_encoder_layers - 1 - i], x0)
        return x
