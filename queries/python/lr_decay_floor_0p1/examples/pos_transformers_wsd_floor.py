# example: transformers' warmup-stable-decay schedule, linear decay over the last 640 steps down to min_lr_ratio 0.1 (a config field).
import torch
import torch.nn as nn
from dataclasses import dataclass
from transformers import get_wsd_schedule


@dataclass
class Hyper:
    steps: int = 1750
    cooldown: int = 640
    floor: float = 0.1


hp = Hyper()
net = nn.Linear(768, 768)
opt = torch.optim.Adam(net.parameters(), lr=0.008)
sched = get_wsd_schedule(opt, num_warmup_steps=0, num_decay_steps=hp.cooldown, num_training_steps=hp.steps,
                         decay_type="linear", min_lr_ratio=hp.floor)
