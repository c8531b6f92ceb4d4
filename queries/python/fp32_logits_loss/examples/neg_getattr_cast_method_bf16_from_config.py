# example: logits cast by a tensor method looked up by a config name that holds "bfloat16"; negative.
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    vocab_size: int = 50304
    n_embd: int = 768
    logit_cast: str = "bfloat16"


class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)

    def forward(self, idx, targets):
        x = F.rms_norm(self.wte(idx), (self.wte.embedding_dim,))
        logits = self.lm_head(x)
        logits = getattr(logits, self.config.logit_cast)()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


model = GPT(Config())
with torch.autocast("cuda", dtype=torch.bfloat16):
    loss = model(torch.zeros(1, 8, dtype=torch.long), torch.zeros(1, 8, dtype=torch.long))
loss.backward()
