# example: near miss - p.dim() >= 2 vs < 2 split exists, but only to choose weight decay inside a single AdamW (nanoGPT style); there is no Muon; negative.
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(768, 3072), nn.GELU(), nn.Linear(3072, 768), nn.LayerNorm(768))
param_dict = {n: p for n, p in model.named_parameters() if p.requires_grad}
decay_params = [p for n, p in param_dict.items() if p.dim() >= 2]
nodecay_params = [p for n, p in param_dict.items() if p.dim() < 2]
optim_groups = [
    {"params": decay_params, "weight_decay": 0.1},
    {"params": nodecay_params, "weight_decay": 0.0},
]
optimizer = torch.optim.AdamW(optim_groups, lr=6e-4, betas=(0.9, 0.95), fused=True)
print(f"decayed tensors: {len(decay_params)}, non-decayed tensors: {len(nodecay_params)}")
