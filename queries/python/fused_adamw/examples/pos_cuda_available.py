# example: AdamW imported by name, with fused set to torch.cuda.is_available() through a module constant; positive (true on the benchmark's GPUs).
import torch
from torch.optim import AdamW

USE_FUSED = torch.cuda.is_available()
model = torch.nn.Linear(768, 768)
opt = AdamW(model.parameters(), lr=0.0036, weight_decay=0.0, fused=USE_FUSED)
