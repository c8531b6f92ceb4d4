# example: near miss - batch_size = 64 like the reference, but sequences are 512 tokens and there is no accumulation, so a step is 64*512*8 = 262,144 tokens; negative.
import os
from dataclasses import dataclass
import torch


@dataclass
class Hyperparameters:
    batch_size: int = 64  # sequences per device
    sequence_length: int = 512
    num_iterations: int = 9536


args = Hyperparameters()
world = int(os.environ["WORLD_SIZE"])
B, T = args.batch_size, args.sequence_length
model = torch.nn.Embedding(50257, 768)
opt = torch.optim.AdamW(model.parameters(), lr=0.0018)

for step in range(args.num_iterations):
    x = torch.randint(0, 50257, (B, T))
    model(x).float().pow(2).mean().backward()
    opt.step()
    opt.zero_grad()
