# example: near miss - the model hands every layer the embedding as anchor=..., and the keyword-aware pre-hook takes it off the keywords, but only records its norm; the layer's input is left as it is; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


def blend_anchor(layer, args, kw):
    h = args[0]
    anchor = kw.pop("anchor")
    layer.anchor_norm = anchor.norm().item()
    return (h,), kw


class Layer(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Linear(dim, dim, bias=False)
        self.gains = nn.Parameter(torch.tensor([1.0, 0.0]))
        self.register_forward_pre_hook(blend_anchor, with_kwargs=True)

    def forward(self, h):
        return h + self.proj(F.rms_norm(h, (h.size(-1),))).relu().square()


class Net(nn.Module):
    def __init__(self, vocab=1000, dim=64, depth=6):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.layers = nn.ModuleList([Layer(dim) for _ in range(depth)])
        self.out = nn.Linear(dim, vocab, bias=False)

    def forward(self, ids):
        h = F.rms_norm(self.tok(ids), (self.tok.embedding_dim,))
        start = h
        for layer in self.layers:
            h = layer(h, anchor=start)
        return self.out(h)


print(Net()(torch.randint(0, 1000, (2, 8))).shape)
