# example: near miss - long skip connections with learnable weights, but they carry mirrored encoder outputs (U-Net), not the initial embedding; negative for embed_skip_x0.
import torch
import torch.nn as nn


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n_layer=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(n_layer))
        self.n_enc = n_layer // 2
        self.skip_weights = nn.Parameter(torch.ones(n_layer - self.n_enc))

    def forward(self, idx):
        x = self.wte(idx)
        stack = []
        for i in range(self.n_enc):
            x = x + self.blocks[i](x)
            stack.append(x)
        for i in range(len(self.blocks) - self.n_enc):
            x = x + self.skip_weights[i] * stack.pop()
            x = x + self.blocks[self.n_enc + i](x)
        return x
