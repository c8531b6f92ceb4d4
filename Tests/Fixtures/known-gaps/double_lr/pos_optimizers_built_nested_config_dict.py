# gap: Optimizers built from a nested config dict and a spec table of (param-list, lr) tuples in a loop; positive.
import torch
import torch.nn as nn

CONFIG = {
    "optim": {"embed_lr": 0.6, "head_lr": 0.008, "matrix_lr": 0.04, "scalar_lr": 0.04, "betas": (0.8, 0.95)},
}


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(nn.Linear(d, d) for _ in range(n))
        self.lm_head = nn.Linear(d, vocab, bias=False)


model = GPT()
oc = CONFIG["optim"]
matrices = [p for p in model.blocks.parameters() if p.ndim == 2]
scalars = [p for p in model.blocks.parameters() if p.ndim < 2]
spec = [
    ("adam", [model.embed.weight], oc["embed_lr"]),
    ("adam", [model.lm_head.weight], oc["head_lr"]),
    ("muon", matrices, oc["matrix_lr"]),
    ("adam", scalars, oc["scalar_lr"]),
]
optimizers = []
for kind, params, lr in spec:
    if kind == "muon":
        optimizers.append(torch.optim.Muon(params, lr=lr, momentum=0.95))
    else:
        optimizers.append(torch.optim.Adam(params, lr=lr, betas=oc["betas"]))
