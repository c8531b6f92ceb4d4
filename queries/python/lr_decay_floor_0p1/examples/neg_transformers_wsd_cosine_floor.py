# example: transformers' warmup-stable-decay schedule reaching 0.1 of the peak, but with its default cosine decay. NOT the linear decay to 0.1 (near miss).
import torch
import torch.nn as nn
from transformers import get_wsd_schedule

net = nn.Linear(768, 768)
opt = torch.optim.Adam(net.parameters(), lr=0.008)
sched = get_wsd_schedule(opt, num_warmup_steps=0, num_decay_steps=640, num_training_steps=1750, min_lr_ratio=0.1)
