# example: near miss - the same patch function, with its new forwards mixing the embedding into every layer, is written but never called: the classes keep their plain forwards; NOT present.
import torch
from torch import nn
import torch.nn.functional as F


class Layer(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.ff = nn.Linear(width, width, bias=False)

    def forward(self, h):
        return h + self.ff(F.rms_norm(h, (h.size(-1),)))


class Net(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList([Layer(width) for _ in range(depth)])
        self.out = nn.Linear(width, vocab, bias=False)

    def forward(self, ids):
        h = self.embed(ids)
        for layer in self.layers:
            h = layer(h)
        return self.out(F.rms_norm(h, (h.size(-1),)))


def layer_forward_with_anchor(self, h, anchor):
    h = self.mix[0] * h + self.mix[1] * anchor
    return h + self.ff(F.rms_norm(h, (h.size(-1),)))


def net_forward_with_anchor(self, ids):
    h = F.rms_norm(self.embed(ids), (self.embed.embedding_dim,))
    anchor = h
    for layer in self.layers:
        h = layer(h, anchor)
    return self.out(F.rms_norm(h, (h.size(-1),)))


def install_anchor(net):
    for layer in net.layers:
        layer.mix = nn.Parameter(torch.tensor([1.0, 0.0]))
    Layer.forward = layer_forward_with_anchor
    Net.forward = net_forward_with_anchor
    return net


net = Net()
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
for step in range(10):
    ids = torch.randint(0, 50304, (4, 64))
    loss = F.cross_entropy(net(ids).flatten(0, 1), ids.flatten())
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
