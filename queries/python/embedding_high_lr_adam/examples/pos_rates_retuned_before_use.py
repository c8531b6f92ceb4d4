# example: the embedding and head rates are first copied from one base rate, then retuned (embedding 0.3, head 0.002) before the two Adam optimizers are built from them; positive (only the retuned values reach the optimizers).
import torch
from torch import nn

base_lr = 0.0036
embed = nn.Embedding(50304, 768)
blocks = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
head = nn.Linear(768, 50304, bias=False)

emb_lr, head_lr = base_lr, base_lr
# retuned once the head was untied
emb_lr = 0.3
head_lr = 0.002
opt_embed = torch.optim.Adam([embed.weight], lr=emb_lr, betas=(0.9, 0.95))
opt_head = torch.optim.Adam([head.weight], lr=head_lr, betas=(0.9, 0.95))
opt_body = torch.optim.SGD(blocks.parameters(), lr=0.02, momentum=0.95)
