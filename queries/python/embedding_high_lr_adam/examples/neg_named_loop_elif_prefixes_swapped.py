# example: the same if / elif chain of name prefixes, the rates swapped (the head at 0.6, the embedding at 0.008); NOT present.
import torch
from torch import nn
from muon import Muon


class Net(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.blocks = nn.ModuleList([nn.Linear(width, width, bias=False) for _ in range(depth)])
        self.unembed = nn.Linear(width, vocab, bias=False)

    def forward(self, idx):
        h = self.embed(idx)
        for block in self.blocks:
            h = h + block(h)
        return self.unembed(h)


def sort_parameters(net):
    table, out, hidden = [], [], []
    for pname, tensor in net.named_parameters():
        if pname.startswith("embed."):
            table.append(tensor)
        elif pname.startswith("unembed."):
            out.append(tensor)
        elif pname.startswith("blocks.") and tensor.ndim >= 2:
            hidden.append(tensor)
        else:
            raise RuntimeError(f"no optimizer for {pname}")
    return table, out, hidden


net = Net()
table, out, hidden = sort_parameters(net)
optimizers = [
    torch.optim.Adam(table, lr=0.008, betas=(0.8, 0.95), fused=True),
    torch.optim.Adam(out, lr=0.6, betas=(0.8, 0.95), fused=True),
    Muon(hidden, lr=0.05, momentum=0.95),
]
