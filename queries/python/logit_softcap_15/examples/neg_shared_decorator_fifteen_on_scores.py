# example: one soft-cap decorator factory worn twice: at 15 by an attention score function, at 30 by the method that returns the logits; the logits are capped at 30; NOT present.
import functools

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import flex_attention


def capped(limit):
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            out = fn(*args, **kwargs)
            return limit * torch.tanh(out / limit)
        return wrapper
    return decorate


@capped(limit=15.0)
def scores(score, b, h, q_idx, kv_idx):
    return score


class LM(nn.Module):
    def __init__(self, vocab=50304, d=256):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.lm_head = nn.Linear(d, vocab, bias=False)

    @capped(limit=30.0)
    def readout(self, x):
        return self.lm_head(F.rms_norm(x, (x.size(-1),)))

    def forward(self, ids, targets):
        x = self.emb(ids)[None]
        q, k, v = self.qkv(x).view(1, -1, 3, 2, 128).permute(2, 0, 3, 1, 4)
        x = flex_attention(q, k, v, score_mod=scores).transpose(1, 2).reshape(1, -1, 256)
        logits = self.readout(x).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
