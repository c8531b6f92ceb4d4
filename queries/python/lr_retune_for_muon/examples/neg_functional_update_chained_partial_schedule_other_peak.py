# example (negative): the same chained-partial schedule for the orthogonalized update, but its peak is a tenth of
# 0.0018 while the head AdamW runs at 0.0036.
import functools
import torch
import torch.nn as nn


def polar(m, iters=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    x = m.bfloat16() / (m.norm() + 1e-7)
    for _ in range(iters):
        s = x @ x.T
        x = a * x + (b * s + c * s @ s) @ x
    return x.to(m.dtype)


def ortho_apply(tensors, buffers, lr, momentum=0.95):
    for w, buf in zip(tensors, buffers):
        buf.mul_(momentum).add_(w.grad)
        w.data.add_(polar(w.grad.add(buf, alpha=momentum)), alpha=-lr)


def plateau_then_decay(step, *, peak, warmdown, total):
    if step < total - warmdown:
        return peak
    return peak * (total - step) / warmdown


class Net(nn.Module):
    def __init__(self, vocab=50304, width=256):
        super().__init__()
        self.table = nn.Embedding(vocab, width)
        self.hidden = nn.Linear(width, width, bias=False)
        self.head = nn.Linear(width, vocab, bias=False)

    def forward(self, ids):
        return self.head(torch.relu(self.hidden(self.table(ids))))


net = Net()
head_opt = torch.optim.AdamW(net.head.parameters(), lr=0.0036, betas=(0.9, 0.95), weight_decay=0)
sched = functools.partial(plateau_then_decay, warmdown=1000, total=5000)
muon_lr_at = functools.partial(sched, peak=0.1 * 0.0018)
hidden = [net.hidden.weight]
buffers = [torch.zeros_like(net.hidden.weight)]
for step in range(5000):
    net(torch.randint(0, 50304, (4, 64))).float().logsumexp(-1).mean().backward()
    head_opt.step()
    ortho_apply(hidden, buffers, muon_lr_at(step))
