# example: PyTorch's built-in Muon with adjust_lr_fn="match_rms_adamw" applies 0.2 * sqrt(max(rows, cols)) to every orthogonalized update (unit-RMS updates).
import torch
import torch.nn as nn

MODE = "match_rms_adamw"
layers = nn.Sequential(nn.Linear(768, 2304, bias=False), nn.Linear(768, 768, bias=False))
muon = torch.optim.Muon(layers.parameters(), lr=0.0018, momentum=0.95, nesterov=True, adjust_lr_fn=MODE)
