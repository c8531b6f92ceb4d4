# example: PyTorch's built-in Muon told to match AdamW's RMS (0.2 * sqrt(max(rows, cols))), the other scaling. NOT the aspect-ratio scale (near miss).
import torch
import torch.nn as nn

blocks = nn.ModuleList([nn.Linear(768, 3072, bias=False), nn.Linear(3072, 768, bias=False)])
opt = torch.optim.Muon([p for p in blocks.parameters() if p.ndim == 2], lr=0.02, adjust_lr_fn="match_rms_adamw")
