# example: near miss - the same table and field, but the spec selects `"identity"` for the token lookup: the embedding reaches the first layer unnormalized; NOT present.
import torch
import torch.nn as nn
import torch.nn.functional as F

NORM_FNS = {
    "rms": lambda h: F.rms_norm(h, (h.size(-1),)),
    "identity": lambda h: h,
}

CFG = {"vocab": 50304, "width": 768, "tokens": {"norm": "identity"}, "depth": 12}

class Net(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.tok = nn.Embedding(cfg["vocab"], cfg["width"])
        self.after_lookup = NORM_FNS[cfg["tokens"]["norm"]]
        self.layers = nn.ModuleList([nn.Linear(cfg["width"], cfg["width"], bias=False) for _ in range(cfg["depth"])])
        self.head = nn.Linear(cfg["width"], cfg["vocab"], bias=False)

    def forward(self, ids):
        h = self.after_lookup(self.tok(ids))
        for layer in self.layers:
            h = h + layer(F.rms_norm(h, (h.size(-1),)))
        return self.head(F.rms_norm(h, (h.size(-1),)))

net = Net(CFG)
