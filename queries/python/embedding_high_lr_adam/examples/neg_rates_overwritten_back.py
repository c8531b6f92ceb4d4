# example: near miss - the embedding rate is set to 0.3 first, then overwritten with the shared base rate before the Adam optimizers are built, so embedding and head train at similar small rates; negative.
import torch
from torch import nn

base_lr = 0.0036
embed = nn.Embedding(50304, 768)
blocks = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
head = nn.Linear(768, 50304, bias=False)

emb_lr = 0.3
head_lr = 0.002
emb_lr = base_lr
opt_embed = torch.optim.Adam([embed.weight], lr=emb_lr, betas=(0.9, 0.95))
opt_head = torch.optim.Adam([head.weight], lr=head_lr, betas=(0.9, 0.95))
opt_body = torch.optim.SGD(blocks.parameters(), lr=0.02, momentum=0.95)
