# example: functional optimizers: a shared loop takes the update rule as an argument and copies each new weight in; the readout runs a hand-written Adam rule whose decoupled decay reads its hyperparameters (weight_decay 0.0), the hidden matrices a sign-momentum rule; no decay anywhere, present.
from typing import NamedTuple

import torch
import torch.nn.functional as F


class AdamRule(NamedTuple):
    b1: float = 0.9
    b2: float = 0.95
    eps: float = 1e-8
    weight_decay: float = 0.0


class SignRule(NamedTuple):
    beta: float = 0.9


def adam_rule(w, g, state, hp, lr):
    t = state["t"] + 1
    m = state["m"].lerp(g, 1 - hp.b1)
    v = state["v"].lerp(g.square(), 1 - hp.b2)
    m_hat = m / (1 - hp.b1 ** t)
    v_hat = v / (1 - hp.b2 ** t)
    return w * (1 - lr * hp.weight_decay) - lr * m_hat / (v_hat.sqrt() + hp.eps), {"m": m, "v": v, "t": t}


def sign_rule(w, g, state, hp, lr):
    buf = state["buf"] * hp.beta + g
    return w - lr * buf.sign(), {"buf": buf}


@torch.no_grad()
def run_rule(leaves, states, rule, hp, lr):
    out = []
    for w, s in zip(leaves, states):
        new_w, new_s = rule(w, w.grad, s, hp, lr)
        w.copy_(new_w)
        out.append(new_s)
    return out


params = {"emb": torch.nn.Parameter(torch.randn(50304, 256)), "mix": torch.nn.Parameter(torch.randn(256, 256) * 0.02)}
adam_hp, sign_hp = AdamRule(), SignRule()
adam_states = [{"m": torch.zeros_like(params["emb"]), "v": torch.zeros_like(params["emb"]), "t": 0}]
sign_states = [{"buf": torch.zeros_like(params["mix"])}]
for it in range(500):
    ids = torch.randint(0, 50304, (4, 65))
    h = F.embedding(ids[:, :-1], params["emb"]) @ params["mix"]
    F.cross_entropy(F.linear(h, params["emb"]).flatten(0, 1), ids[:, 1:].flatten()).backward()
    adam_states = run_rule([params["emb"]], adam_states, adam_rule, adam_hp, 3e-3)
    sign_states = run_rule([params["mix"]], sign_states, sign_rule, sign_hp, 1e-3)
    for w in params.values():
        w.grad = None
