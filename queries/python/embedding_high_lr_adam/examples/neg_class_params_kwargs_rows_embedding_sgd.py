# example: near miss - the same (class, parameters, keywords) rows, but the embedding's row builds SGD at 0.3 and only the head uses Adam; negative (the embedding is not trained by Adam).
import torch
import torch.nn as nn

emb = nn.Embedding(50304, 768)
out = nn.Linear(768, 50304, bias=False)
trunk = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))

rows = [
    (torch.optim.SGD, [emb.weight], {"lr": 0.3, "momentum": 0.9}),
    (torch.optim.Adam, [out.weight], {"lr": 0.002, "betas": (0.9, 0.95)}),
    (torch.optim.SGD, list(trunk.parameters()), {"lr": 0.02, "momentum": 0.95}),
]
optimizers = [make(ps, **kw) for make, ps, kw in rows]
