# example: the old base values are kept as constants and every optimizer gets base * LR_MULT with LR_MULT = 2.0 (head 0.004, exactly doubled); positive (uniform doubling via an expression).
import torch
import torch.nn as nn

LR_MULT = 2.0
BASE = {"embed": 0.3, "head": 0.002, "muon": 0.02, "scalar": 0.02}

embed = nn.Embedding(50304, 768)
head = nn.Linear(768, 50304, bias=False)
blocks = nn.ModuleList(nn.Linear(768, 768, bias=True) for _ in range(12))
mats = [p for p in blocks.parameters() if p.ndim == 2]
vecs = [p for p in blocks.parameters() if p.ndim < 2]

opt_embed = torch.optim.Adam(embed.parameters(), lr=BASE["embed"] * LR_MULT, betas=(0.9, 0.95))
opt_head = torch.optim.Adam(head.parameters(), lr=BASE["head"] * LR_MULT, betas=(0.9, 0.95))
opt_muon = torch.optim.Muon(mats, lr=BASE["muon"] * LR_MULT, momentum=0.95)
opt_scalar = torch.optim.Adam(vecs, lr=BASE["scalar"] * LR_MULT, betas=(0.9, 0.95))
optimizers = [opt_embed, opt_head, opt_muon, opt_scalar]
