# example: the optimizer lists are built attribute by attribute: every linear layer's weight (2-D) goes to Muon, the learned 1-D gain vectors (a literal list, torch.ones(n)) to Adam; positive (routing by shape, spelled by construction).
import torch
import torch.nn as nn
from muon import Muon


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, 4 * d, bias=False)
        self.proj = nn.Linear(4 * d, d, bias=False)


class Net(nn.Module):
    def __init__(self, d=256):
        super().__init__()
        self.block0 = Block(d)
        self.block1 = Block(d)
        self.mix = nn.Parameter(torch.tensor([1.0, 1.0]))
        self.gates = nn.Parameter(torch.ones(2) * 0.5)


net = Net()
mats = []
mats.extend([net.block0.fc.weight, net.block0.proj.weight])
mats.append(net.block1.fc.weight)
mats.append(net.block1.proj.weight)
opt_mats = Muon(mats, lr=0.02, momentum=0.95)
opt_vecs = torch.optim.Adam([net.mix, net.gates], lr=0.02, betas=(0.9, 0.95))
