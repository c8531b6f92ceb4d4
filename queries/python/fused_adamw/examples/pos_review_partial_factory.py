# example: hydra/lightning-style optimizer factory: functools.partial(torch.optim.AdamW, betas=..., fused=True) stored in a config and called later with params and lr; positive.
import functools

import torch
import torch.nn as nn

optimizer_factory = functools.partial(torch.optim.AdamW, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.0, fused=True)


class LitGPT(nn.Module):
    def __init__(self, make_optimizer, lr=1.8e-3):
        super().__init__()
        self.make_optimizer = make_optimizer
        self.lr = lr
        self.net = nn.Sequential(nn.Embedding(50304, 512), nn.Linear(512, 50304, bias=False))

    def configure_optimizers(self):
        return self.make_optimizer(self.parameters(), lr=self.lr)


module = LitGPT(optimizer_factory).cuda()
opt = module.configure_optimizers()
for step in range(10):
    x = torch.randint(0, 50304, (2, 32), device="cuda")
    nn.functional.cross_entropy(module.net(x).flatten(0, 1), x.flatten()).backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
