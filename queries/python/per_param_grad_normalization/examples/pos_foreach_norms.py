# example: per-parameter normalization with the foreach API (one norm per grad tensor, then elementwise divide of the list); positive (vectorized spelling of the same idea).
import torch
import torch.nn as nn

model = nn.TransformerEncoderLayer(d_model=512, nhead=8, batch_first=True)
optim = torch.optim.AdamW(model.parameters(), lr=0.0018, betas=(0.9, 0.95))


def train_step(batch):
    out = model(batch)
    out.float().pow(2).mean().backward()
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    norms = torch._foreach_norm(grads)
    torch._foreach_add_(norms, 1e-6)
    torch._foreach_div_(grads, norms)
    optim.step()
    optim.zero_grad(set_to_none=True)


for _ in range(10):
    train_step(torch.randn(4, 128, 512))
