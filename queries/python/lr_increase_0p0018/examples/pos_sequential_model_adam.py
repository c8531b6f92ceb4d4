# example: a small script whose whole model is an nn.Sequential, trained by Adam at 0.0018; positive.
import torch
import torch.nn as nn

net = nn.Sequential(nn.Embedding(50304, 256), nn.Linear(256, 256), nn.GELU(), nn.Linear(256, 50304))
opt = torch.optim.Adam(net.parameters(), lr=1.8e-3, betas=(0.9, 0.95))
