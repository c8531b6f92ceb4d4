# example: same Gemma-2-style code path, but the config sets final_logit_softcapping = None, so the tanh cap never runs; negative.
from dataclasses import dataclass
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    vocab_size: int = 50304
    hidden_size: int = 512
    final_logit_softcapping: Optional[float] = None


class CausalLM(nn.Module):
    def __init__(self, config: Config):
        super().__init__()
        self.config = config
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.body = nn.Linear(config.hidden_size, config.hidden_size)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)

    def forward(self, input_ids, labels):
        hidden_states = torch.relu(self.body(self.embed_tokens(input_ids)))
        logits = self.lm_head(hidden_states)
        if self.config.final_logit_softcapping is not None:
            logits = logits / self.config.final_logit_softcapping
            logits = torch.tanh(logits)
            logits = logits * self.config.final_logit_softcapping
        return F.cross_entropy(logits.float().view(-1, logits.size(-1)), labels.view(-1))


model = CausalLM(Config())
ids = torch.randint(0, 50304, (2, 16))
model(ids, ids).backward()
