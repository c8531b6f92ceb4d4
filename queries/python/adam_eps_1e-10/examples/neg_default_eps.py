# example: Adam is built without eps, so it keeps the default 1e-8; NOT present.
import torch
from torch import nn

embed = nn.Embedding(50304, 768)
lm_head = nn.Linear(768, 50304, bias=False)
adam_params = [dict(params=[lm_head.weight], lr=0.008), dict(params=[embed.weight], lr=0.6)]
adam = torch.optim.Adam(adam_params, betas=(0.8, 0.95), fused=True)


def step(loss):
    loss.backward()
    adam.step()
    adam.zero_grad(set_to_none=True)
