# example: near miss - matrices go to Muon by an ndim test, but Adam gets parameters chosen by name ("lamb" in n), with no shape test on that side; negative (split by name is not this id).
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.fc = nn.Linear(d, d, bias=False)
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))


blocks = nn.ModuleList(Block() for _ in range(12))
matrices = [p for p in blocks.parameters() if p.ndim == 2]
named = [p for n, p in blocks.named_parameters() if "lamb" in n]
muon = torch.optim.Muon(matrices, lr=0.02, momentum=0.95)
adam = torch.optim.Adam(named, lr=0.02, betas=(0.9, 0.95))
