# example: embedding 0.6, head 0.008 and Muon 0.04 are doubled, but the scalar-parameter Adam group keeps record 10's 0.02; negative (not every group doubled).
import torch
import torch.nn as nn

wte = nn.Embedding(50304, 768)
lm_head = nn.Linear(768, 50304, bias=False)
blocks = nn.ModuleList(nn.Linear(768, 768) for _ in range(12))
matrices = [p for p in blocks.parameters() if p.ndim == 2]
vectors = [p for p in blocks.parameters() if p.ndim < 2]

adam = torch.optim.Adam(
    [
        dict(params=[wte.weight], lr=0.6),
        dict(params=[lm_head.weight], lr=0.008),
        dict(params=vectors, lr=0.02),
    ],
    betas=(0.8, 0.95),
)
muon = torch.optim.Muon(matrices, lr=0.04, momentum=0.95)
optimizers = [adam, muon]
