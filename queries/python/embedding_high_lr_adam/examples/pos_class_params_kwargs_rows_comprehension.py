# example: positive - a list of (optimizer class, parameters, keyword dict) rows is turned into optimizers by one comprehension `[make(ps, **kw) for make, ps, kw in rows]`; the embedding's Adam row gives lr 0.3 and the head's 0.002.
import torch
import torch.nn as nn

emb = nn.Embedding(50304, 768)
out = nn.Linear(768, 50304, bias=False)
trunk = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))

rows = [
    (torch.optim.Adam, [emb.weight], {"lr": 0.3, "betas": (0.9, 0.95)}),
    (torch.optim.Adam, [out.weight], {"lr": 0.002, "betas": (0.9, 0.95)}),
    (torch.optim.SGD, list(trunk.parameters()), {"lr": 0.02, "momentum": 0.95}),
]
optimizers = [make(ps, **kw) for make, ps, kw in rows]
