# example: pure-function training: a hand-written Adam rule returns the new weight and its state (moments as `state["mu"] * b1 + (1 - b1) * g`), a helper walks one family's leaves, copies each new weight in and is called once per family with that family's rate: 0.3 for the token table, 0.002 for the readout; present.
import math
from typing import NamedTuple

import torch
import torch.nn.functional as F


class Rates(NamedTuple):
    table: float = 0.3
    readout: float = 0.002


def adam_rule(w, g, state, lr, b1=0.9, b2=0.95, eps=1e-8):
    t = state["t"] + 1
    mu = state["mu"] * b1 + (1 - b1) * g
    nu = state["nu"] * b2 + (1 - b2) * g * g
    corr = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
    return w - corr * mu / (nu.sqrt() + eps), {"mu": mu, "nu": nu, "t": t}


@torch.no_grad()
def step_family(leaves, states, lr):
    fresh = []
    for w, s in zip(leaves, states):
        new_w, new_s = adam_rule(w, w.grad, s, lr)
        w.copy_(new_w)
        fresh.append(new_s)
    return fresh


def init(vocab=50304, width=256):
    return {
        "table": torch.nn.Parameter(torch.randn(vocab, width)),
        "readout": torch.nn.Parameter(torch.zeros(vocab, width)),
    }


def apply(params, ids):
    h = F.rms_norm(F.embedding(ids, params["table"]), (params["table"].size(1),))
    return F.linear(h, params["readout"])


params = init()
rates = Rates()
states = {k: [{"mu": torch.zeros_like(params[k]), "nu": torch.zeros_like(params[k]), "t": 0}] for k in params}
for it in range(1000):
    ids = torch.randint(0, 50304, (4, 65))
    logits = apply(params, ids[:, :-1])
    F.cross_entropy(logits.flatten(0, 1).float(), ids[:, 1:].flatten()).backward()
    states["table"] = step_family([params["table"]], states["table"], rates.table)
    states["readout"] = step_family([params["readout"]], states["readout"], rates.readout)
    for w in params.values():
        w.grad = None
