# example: Adam looked up on `torch.optim` by a constant name and called in place (`getattr(torch.optim, "Adam")(...)`), its eps read from a hyperparameter dictionary by string key (1e-10); positive.
import torch
from torch import nn

model = nn.Sequential(nn.Embedding(1024, 256), nn.Linear(256, 1024, bias=False))
opt_hp = dict(adam_betas=(0.8, 0.95), adam_eps=1e-10, embed_lr=0.6, head_lr=0.008)
adam_params = [dict(params=[model[0].weight], lr=opt_hp["embed_lr"]), dict(params=[model[1].weight], lr=opt_hp["head_lr"])]
optimizer = getattr(torch.optim, "Adam")(adam_params, betas=opt_hp["adam_betas"], eps=opt_hp["adam_eps"])

for step in range(100):
    tokens = torch.randint(0, 1024, (8, 64))
    loss = nn.functional.cross_entropy(model(tokens).flatten(0, 1), tokens.flatten())
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
