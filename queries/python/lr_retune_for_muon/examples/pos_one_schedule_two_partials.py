# example: one schedule function serves both optimizers through partials with their own peaks: the head AdamW's
# groups get 0.0036, the functional orthogonalized update a tenth of it.
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


def plateau_then_decay(step, *, peak, warmup, warmdown, total):
    assert step <= total
    if step < warmup:
        return peak * (step + 1) / warmup
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


from dataclasses import dataclass


@dataclass
class RunHP:
    head_lr: float = 3.6e-3
    muon_lr_ratio: float = 0.1
    warmup_iters: int = 0
    warmdown_iters: int = 1000
    num_iterations: int = 5000


args = RunHP()
net = Net()
head_opt = torch.optim.AdamW(net.head.parameters(), lr=args.head_lr, betas=(0.9, 0.95), weight_decay=0)
sched = functools.partial(plateau_then_decay, warmup=args.warmup_iters, warmdown=args.warmdown_iters, total=args.num_iterations)
head_lr_at = functools.partial(sched, peak=args.head_lr)
muon_lr_at = functools.partial(sched, peak=args.muon_lr_ratio * args.head_lr)
hidden = [net.hidden.weight]
buffers = [torch.zeros_like(net.hidden.weight)]
for step in range(args.num_iterations + 1):
    net(torch.randint(0, 50304, (4, 64))).float().logsumexp(-1).mean().backward()
    for group in head_opt.param_groups:
        group['lr'] = head_lr_at(step)
    head_opt.step()
    ortho_apply(hidden, buffers, muon_lr_at(step))
