# example: only the embedding tables are cast to bf16, chosen by a match statement with a class pattern (case nn.Embedding():); positive.
from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class Hyperparameters:
    bf16_embeds: bool = True


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, n_layer=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList([nn.Linear(dim, dim, bias=False) for _ in range(n_layer)])
        self.skip_weights = nn.Parameter(torch.ones(n_layer // 2))
        self.lm_head = nn.Linear(dim, vocab, bias=False)


args = Hyperparameters()
model = GPT().cuda()
if args.bf16_embeds:
    for m in model.modules():
        match m:
            case nn.Embedding():
                m.bfloat16()
model = torch.compile(model)
