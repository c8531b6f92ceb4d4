# example: schedule with only a constant phase and a final linear decay (no warmup branch exists) applied to two optimizers by hand; positive (warmup absent structurally).
import torch
import torch.nn as nn

TOTAL = 3000
DECAY = 900

emb = nn.Embedding(50304, 768)
head = nn.Linear(768, 50304, bias=False)
opts = [
    torch.optim.Adam(emb.parameters(), lr=0.6, betas=(0.9, 0.95)),
    torch.optim.Adam(head.parameters(), lr=0.008, betas=(0.9, 0.95)),
]
initial = [o.param_groups[0]["lr"] for o in opts]


def lr_factor(step: int) -> float:
    if step < TOTAL - DECAY:
        return 1.0
    return (TOTAL - step) / DECAY


for step in range(TOTAL):
    ids = torch.randint(0, 50304, (2, 64))
    head(emb(ids)).logsumexp(-1).mean().backward()
    for o, lr0 in zip(opts, initial):
        o.param_groups[0]["lr"] = lr0 * lr_factor(step)
        o.step()
        o.zero_grad(set_to_none=True)
