# example: apex's multi-tensor FusedAdam (Adam mode) trains the embedding and head with eps=1e-10 given through a constant.
import torch.nn as nn
from apex.optimizers import FusedAdam

EPSILON = 1e-10
model = nn.ModuleDict(dict(wte=nn.Embedding(50304, 768), head=nn.Linear(768, 50304, bias=False)))
opt = FusedAdam(model.parameters(), lr=0.008, betas=(0.8, 0.95), eps=EPSILON, adam_w_mode=False, weight_decay=0.0)
