# example: the baseline peak learning rate 0.0015 in the hyperparameter dataclass feeding AdamW; negative (old value).
from dataclasses import dataclass
import torch


@dataclass
class Hyperparameters:
    batch_size: int = 32
    sequence_length: int = 1024
    num_iterations: int = 24576
    learning_rate: float = 0.0015
    warmup_iters: int = 256
    weight_decay: float = 0.1


args = Hyperparameters()
model = torch.nn.Linear(768, 768)
optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate,
                              weight_decay=args.weight_decay, betas=(0.9, 0.95))
for step in range(args.num_iterations):
    model(torch.randn(1, 768)).sum().backward()
    optimizer.step()
    optimizer.zero_grad()
