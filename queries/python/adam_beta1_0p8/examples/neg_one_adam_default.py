# example: the embedding Adam sets betas=(0.8, 0.95) but the scalar Adam passes no betas and keeps the default beta1 of 0.9; not every Adam changed, so NOT present.
import torch
from torch import nn

wte = nn.Embedding(50304, 768)
scalars = [nn.Parameter(torch.ones(12)), nn.Parameter(torch.zeros(12))]

opt_embed = torch.optim.Adam(wte.parameters(), lr=0.6, betas=(0.8, 0.95), fused=True)
opt_scalars = torch.optim.Adam(scalars, lr=0.04, fused=True)
