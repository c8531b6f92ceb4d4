# example (negative): the same scaled functional updates, but the head's base rate is 0.1, not a tenth of the
# embedding's 0.3 or less.
from types import SimpleNamespace

import torch
import torch.nn as nn
import torch.nn.functional as F


def adam_apply(tensors, first, second, lr, t, b1=0.9, b2=0.95, eps=1e-8):
    grads = [w.grad for w in tensors]
    torch._foreach_lerp_(first, grads, 1 - b1)
    torch._foreach_mul_(second, b2)
    torch._foreach_addcmul_(second, grads, grads, value=1 - b2)
    denom = torch._foreach_sqrt(second)
    torch._foreach_add_(denom, eps)
    torch._foreach_addcdiv_(tensors, first, denom, value=-lr / (1 - b1 ** t))


def make_factor(warm, hold, total):
    def factor(i):
        if i < warm:
            return (i + 1) / warm
        if i < hold:
            return 1.0
        return (total - i) / (total - hold)
    return factor


class Net(nn.Module):
    def __init__(self, vocab=50304, width=256):
        super().__init__()
        self.table = nn.Embedding(vocab, width)
        self.readout = nn.Linear(width, vocab, bias=False)

    def forward(self, ids, targets):
        logits = self.readout(F.rms_norm(self.table(ids), (256,)))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


hp = SimpleNamespace(table_lr=0.3, readout_lr=0.1)
net = Net()
groups = {"table": [net.table.weight], "readout": [net.readout.weight]}
first = {k: [torch.zeros_like(w) for w in v] for k, v in groups.items()}
second = {k: [torch.zeros_like(w) for w in v] for k, v in groups.items()}
factor = make_factor(100, 4000, 5000)


def update_all(scale, t):
    adam_apply(groups["table"], first["table"], second["table"], hp.table_lr * scale, t)
    adam_apply(groups["readout"], first["readout"], second["readout"], hp.readout_lr * scale, t)


for step in range(5000):
    ids = torch.randint(0, 50304, (4, 64))
    net(ids[:, :-1], ids[:, 1:]).backward()
    update_all(factor(step), step + 1)
    net.zero_grad(set_to_none=True)
