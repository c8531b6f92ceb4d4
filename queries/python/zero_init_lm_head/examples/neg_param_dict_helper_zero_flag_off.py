# example: the same functional model, but the readout is built by the helper with its zero flag left at the default (random init); negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


def init_params(vocab, d):
    def lin(o, i, zero=False):
        w = torch.empty(o, i)
        if zero:
            return nn.Parameter(w.zero_())
        return nn.Parameter(w.uniform_(-i ** -0.5, i ** -0.5))

    embed = nn.Parameter(torch.randn(vocab, d))
    readout = lin(vocab, d)
    return {"embed": embed, "fc": lin(d, d, zero=True), "readout": readout}


def forward(params, idx, targets):
    x = F.embedding(idx, params["embed"])
    x = x + F.relu(F.linear(x, params["fc"]))
    logits = F.linear(F.rms_norm(x, (x.size(-1),)), params["readout"]).float()
    return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


params = init_params(50304, 64)
idx = torch.randint(0, 50304, (2, 9))
loss = forward(params, idx[:, :-1], idx[:, 1:])
