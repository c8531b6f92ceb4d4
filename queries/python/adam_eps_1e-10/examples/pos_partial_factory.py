# example: Adam factory via functools.partial carrying eps=1e-10; used for head and embedding; positive.
from functools import partial

import torch
from torch import nn

make_adam = partial(torch.optim.Adam, betas=(0.8, 0.95), eps=1e-10, fused=True)

embed = nn.Embedding(50304, 768)
lm_head = nn.Linear(768, 50304, bias=False)
opt_head = make_adam([lm_head.weight], lr=0.008)
opt_embed = make_adam([embed.weight], lr=0.6)
