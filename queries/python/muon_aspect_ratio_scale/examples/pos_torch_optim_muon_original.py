# example: PyTorch's built-in Muon with adjust_lr_fn="original" scales each update by sqrt(max(1, rows/cols)); the hidden matrices train on it at lr 0.02.
import torch
import torch.nn as nn

blocks = nn.ModuleList([nn.Linear(768, 3072, bias=False), nn.Linear(3072, 768, bias=False)])
matrices = [p for p in blocks.parameters() if p.ndim == 2]
opt = torch.optim.Muon(matrices, lr=0.02, momentum=0.95, weight_decay=0.0, adjust_lr_fn="original")
