# example: PyTorch's built-in Muon with its default adjust_lr_fn, which scales by sqrt(max(1, rows/cols)), not sqrt(max(rows, cols)). NOT muon_update_scale_sqrt_max_dim (near miss).
import torch
import torch.nn as nn

layers = nn.Sequential(nn.Linear(768, 2304, bias=False), nn.Linear(768, 768, bias=False))
muon = torch.optim.Muon(layers.parameters(), lr=0.02, momentum=0.95)
