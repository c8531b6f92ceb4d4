# example: a loop over the optimizer specs' items picks each builder by the spec's "kind" and hands it the spec itself; the embedding's Adam runs at 0.3 and the head's at 0.002, each on its own name-prefix bucket; positive.
import torch
from torch import nn
from muon import Muon

conf = {
    "embed": {"kind": "adam", "lr": 0.3},
    "head": {"kind": "adam", "lr": 0.002},
    "blocks": {"kind": "muon", "lr": 0.02},
}


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=512, depth=4):
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.blocks = nn.ModuleList([nn.Linear(width, width, bias=False) for _ in range(depth)])
        self.head = nn.Linear(width, vocab, bias=False)


lm = TinyLM()
buckets = {
    "embed": [p for n, p in lm.named_parameters() if n.startswith("wte.")],
    "head": [p for n, p in lm.named_parameters() if n.startswith("head.")],
    "blocks": [p for n, p in lm.named_parameters() if n.startswith("blocks.")],
}
makers = {
    "adam": lambda ps, c: torch.optim.Adam(ps, lr=c["lr"], betas=(0.9, 0.95)),
    "muon": lambda ps, c: Muon(ps, lr=c["lr"], momentum=0.95),
}
optimizers = {}
for part, spec in conf.items():
    optimizers[part] = makers[spec["kind"]](buckets[part], spec)
