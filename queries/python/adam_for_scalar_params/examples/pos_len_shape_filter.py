# example: filter() with len(p.shape) >= 2 selects the Muon params and the complement (plus a model-level skip_weights vector) goes to Adam; positive (len(shape) test, extra params on the Adam side).
import torch
import torch.nn as nn

model = nn.ModuleDict({
    "blocks": nn.ModuleList(nn.Linear(768, 768, bias=True) for _ in range(12)),
})
skip_weights = nn.Parameter(torch.ones(6))

block_params = list(model["blocks"].parameters())
to_muon = list(filter(lambda t: len(t.shape) >= 2, block_params))
to_adam = [t for t in block_params if len(t.shape) < 2] + [skip_weights]

muon = torch.optim.Muon(to_muon, lr=0.04, momentum=0.95)
adam = torch.optim.Adam(to_adam, lr=0.04, betas=(0.9, 0.95))
optimizers = [muon, adam]

for step in range(3):
    x = torch.randn(4, 768)
    for i, blk in enumerate(model["blocks"]):
        x = x + blk(x) * skip_weights[i % 6]
    x.square().mean().backward()
    for o in optimizers:
        o.step()
        o.zero_grad()
