# example: near miss - c_proj weights get a special init, but it is the GPT-2 scaled normal std=0.02/sqrt(2*n_layer), not zero; negative.
import math
import torch
import torch.nn as nn


class GPT(nn.Module):
    def __init__(self, n_layer=12, n_embd=768):
        super().__init__()
        self.n_layer = n_layer
        self.attn_proj = nn.ModuleList(nn.Linear(n_embd, n_embd) for _ in range(n_layer))
        self.mlp_proj = nn.ModuleList(nn.Linear(4 * n_embd, n_embd) for _ in range(n_layer))
        for name, p in self.named_parameters():
            if name.endswith("weight"):
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * n_layer))
            else:
                torch.nn.init.zeros_(p)  # biases


model = GPT()
