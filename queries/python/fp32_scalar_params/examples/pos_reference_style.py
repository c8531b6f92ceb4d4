# example: the model stays fp32 after .cuda() and only nn.Embedding modules are cast to bf16 (bf16_embeds), so lambdas and skip weights remain fp32; present.
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
        if isinstance(m, nn.Embedding):
            m.bfloat16()
model = torch.compile(model)
