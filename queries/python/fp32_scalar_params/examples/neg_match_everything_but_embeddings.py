# example: the match statement skips the embeddings and casts every other module to bf16 in the catch-all case; negative.
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
                pass
            case _:
                m.bfloat16()
model = torch.compile(model)
