# example: the same predicate table and specs, but the "scalars" spec is built by the orthogonalizing builder: the block scalars are not trained by Adam; negative.
import torch
from torch import nn
from muon import Muon


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, d, bias=False)
        self.gate = nn.Parameter(torch.tensor([1.0, 0.0]))


class Net(nn.Module):
    def __init__(self, vocab=50304, d=512, depth=6):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList([Block(d) for _ in range(depth)])
        self.head = nn.Linear(d, vocab, bias=False)


net = Net()
specs = {
    "embed": {"kind": "adam", "lr": 0.6},
    "head": {"kind": "adam", "lr": 0.008},
    "matrices": {"kind": "muon", "lr": 0.04},
    "scalars": {"kind": "muon", "lr": 0.04},
}
selects = {
    "embed": lambda n, p: n.startswith("wte."),
    "head": lambda n, p: n.startswith("head."),
    "matrices": lambda n, p: n.startswith("blocks.") and p.ndim == 2,
    "scalars": lambda n, p: n.startswith("blocks.") and p.ndim < 2,
}
groups = {k: [p for n, p in net.named_parameters() if pick(n, p)] for k, pick in selects.items()}
builders = {
    "adam": lambda ps, s: torch.optim.Adam(ps, lr=s["lr"], betas=(0.8, 0.95)),
    "muon": lambda ps, s: Muon(ps, lr=s["lr"], momentum=0.95),
}
optimizers = {k: builders[s["kind"]](groups[k], s) for k, s in specs.items()}
