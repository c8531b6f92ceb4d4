# example: a SoftCap module built with cap=15 from the config applies cap * tanh(x / cap) to the head output inside the model, and the loss is taken outside the model; the cap sits behind a module call.
from dataclasses import dataclass

import torch
from torch import nn
import torch.nn.functional as F


@dataclass
class Cfg:
    vocab: int = 50304
    width: int = 768
    logit_cap: float = 15.0


class SoftCap(nn.Module):
    def __init__(self, cap: float):
        super().__init__()
        self.cap = cap

    def forward(self, z):
        return self.cap * torch.tanh(z / self.cap)


class TinyLM(nn.Module):
    def __init__(self, cfg: Cfg):
        super().__init__()
        self.embed = nn.Embedding(cfg.vocab, cfg.width)
        self.lm_head = nn.Linear(cfg.width, cfg.vocab, bias=False)
        self.softcap = SoftCap(cfg.logit_cap)

    def forward(self, idx):
        h = F.rms_norm(self.embed(idx), (self.embed.embedding_dim,))
        return self.softcap(self.lm_head(h))


model = TinyLM(Cfg())


def train_step(idx, targets):
    logits = model(idx)
    loss = F.cross_entropy(logits.float().view(-1, logits.size(-1)), targets.view(-1))
    loss.backward()
    return loss
