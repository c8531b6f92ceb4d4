# example: encoder half appends outputs to skip_connections, decoder half pops them (LIFO) and adds skip_weights[i] * skip to its input; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.mlp = nn.Linear(d, d, bias=False)

    def forward(self, x):
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n_layer=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.h = nn.ModuleList(Block(d) for _ in range(n_layer))
        self.encoder_layers = n_layer // 2
        self.decoder_layers = n_layer - self.encoder_layers
        self.skip_weights = nn.Parameter(torch.ones(self.decoder_layers))

    def forward(self, idx):
        x = F.rms_norm(self.wte(idx), (768,))
        skip_connections = []
        for i in range(self.encoder_layers):
            x = self.h[i](x)
            skip_connections.append(x)
        for i in range(self.decoder_layers):
            skip = skip_connections.pop()
            x = self.h[self.encoder_layers + i](x + self.skip_weights[i] * skip)
        return F.rms_norm(x, (768,))
