# example: Soft-cap via functools.partial over a generic helper; the cap value comes from a CONFIG dict; positive.
from functools import partial

import torch
from torch import nn
import torch.nn.functional as F

CONFIG = {"vocab": 50304, "dim": 768, "logit_cap": 15}


def soft_clip(t, cap):
    return torch.tanh(t / cap) * cap


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(CONFIG["vocab"], CONFIG["dim"])
        self.lm_head = nn.Linear(CONFIG["dim"], CONFIG["vocab"], bias=False)
        self.clip = partial(soft_clip, cap=CONFIG["logit_cap"])

    def forward(self, idx, targets):
        logits = self.clip(self.lm_head(F.rms_norm(self.tok(idx), (CONFIG["dim"],))))
        return F.cross_entropy(logits.float().view(-1, logits.size(-1)), targets.view(-1))
