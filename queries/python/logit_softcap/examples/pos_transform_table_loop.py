# example: the logits run through an ordered table of named transforms in a loop; one entry is a lambda capping them with 30 * tanh(z / 30), the cap read from a nested config dict; positive.
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

settings = {"model": {"width": 512, "vocab": 50304, "cap": 30.0}}


class LM(nn.Module):
    def __init__(self, conf):
        super().__init__()
        self.embed = nn.Embedding(conf["vocab"], conf["width"])
        self.lm_head = nn.Linear(conf["width"], conf["vocab"], bias=False)
        c = float(conf["cap"])
        self.post = OrderedDict([
            ("upcast", lambda t: t.float()),
            ("cap", lambda t: c * torch.tanh(t / c)),
        ])

    def forward(self, idx, targets):
        h = self.embed(idx)
        logits = self.lm_head(h)
        for _, step in self.post.items():
            logits = step(logits)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


model = LM(settings["model"])
