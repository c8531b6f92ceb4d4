# example: Functional, stateful closure version: no Optimizer subclass; a make_muon() factory returns a step() function; Newton-Schulz iterates over a list of per-step coefficient triples with functools.reduce; positive.
from functools import reduce

import torch
import torch.nn as nn

NS_COEFFS = [(3.4445, -4.7750, 2.0315)] * 5


def _ns_iter(X, abc):
    a, b, c = abc
    A = X @ X.mT
    return a * X + (b * A + c * (A @ A)) @ X


def polar_factor(G):
    tall = G.size(-2) > G.size(-1)
    X = (G.mT if tall else G).bfloat16()
    X = X / X.norm(dim=(-2, -1), keepdim=True).clamp_min(1e-7)
    X = reduce(_ns_iter, NS_COEFFS, X)
    return (X.mT if tall else X).type_as(G)


def make_muon(params, lr=0.02, momentum=0.95):
    params = list(params)
    bufs = [torch.zeros_like(p) for p in params]

    @torch.no_grad()
    def step():
        for p, buf in zip(params, bufs):
            buf.mul_(momentum).add_(p.grad)
            p.add_(polar_factor(p.grad + momentum * buf), alpha=-lr)

    return step


emb = nn.Embedding(50304, 512)
body = nn.Sequential(*[nn.Linear(512, 512, bias=False) for _ in range(8)])
head = nn.Linear(512, 50304, bias=False)
muon_step = make_muon(body.parameters())
adam = torch.optim.Adam(list(emb.parameters()) + list(head.parameters()), lr=3e-3, betas=(0.9, 0.95))

for it in range(100):
    tok = torch.randint(0, 50304, (4, 32))
    logits = head(body(emb(tok)))
    nn.functional.cross_entropy(logits.flatten(0, 1), tok.flatten()).backward()
    muon_step()
    adam.step()
    emb.zero_grad(); body.zero_grad(); head.zero_grad()
