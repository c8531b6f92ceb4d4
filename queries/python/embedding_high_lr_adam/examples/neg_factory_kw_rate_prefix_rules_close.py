# example: a generic optimizer factory `make_optimizer(kind, params, **kw)` builds Adam with `lr=kw["lr"]`, parameters split by name prefix in a rules helper (`param_groups(net, rules=[("embed", "tok."), ("head", "out."), ...])`), but the head call passes lr 0.1, only a third of the embedding's 0.3 (the body call passes 0.002); negative.
import torch
import torch.nn as nn


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, d=768):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.body = nn.Sequential(nn.Linear(d, d, bias=False), nn.ReLU())
        self.out = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        return self.out(self.body(self.tok(idx)))


def make_optimizer(kind, params, **kw):
    if kind == "adam":
        return torch.optim.Adam(params, lr=kw["lr"], betas=kw.get("betas", (0.9, 0.999)))
    elif kind == "sgd":
        return torch.optim.SGD(params, lr=kw["lr"], momentum=kw.get("momentum", 0.9))
    raise ValueError(kind)


def param_groups(model, rules):
    out = {name: [] for name, _ in rules}
    for pname, p in model.named_parameters():
        for gname, prefix in rules:
            if pname.startswith(prefix):
                out[gname].append(p)
                break
    return out


net = TinyLM()
groups = param_groups(net, rules=[("embed", "tok."), ("head", "out."), ("body", "body.")])
opts = [
    make_optimizer("adam", groups["embed"], lr=0.3, betas=(0.9, 0.95)),
    make_optimizer("adam", groups["head"], lr=0.1, betas=(0.9, 0.95)),
    make_optimizer("sgd", groups["body"], lr=0.002),
]
for step in range(3):
    net(torch.randint(0, 50304, (2, 8))).float().logsumexp(-1).mean().backward()
    for opt in opts:
        opt.step()
        opt.zero_grad(set_to_none=True)
