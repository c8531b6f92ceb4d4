# example: the embedding Adam uses eps=1e-10 but the separate Adam holding the lm_head keeps the default 1e-8; the head's optimizer is unchanged, so NOT present.
import torch
from torch import nn


class LM(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50304, 768)
        self.lm_head = nn.Linear(768, 50304, bias=False)


model = LM()
opt_embed = torch.optim.Adam(model.embed.parameters(), lr=0.6, betas=(0.8, 0.95), eps=1e-10)
opt_head = torch.optim.Adam(model.lm_head.parameters(), lr=0.008, betas=(0.8, 0.95))
