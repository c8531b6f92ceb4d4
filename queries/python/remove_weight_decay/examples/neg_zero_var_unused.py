# example: near miss - Hyperparameters says weight_decay = 0 but the AdamW call hard-codes weight_decay=0.1; negative (the zero never reaches the optimizer).
from dataclasses import dataclass
import torch


@dataclass
class Hyperparameters:
    learning_rate: float = 0.0036
    warmup_iters: int = 0
    weight_decay: float = 0


args = Hyperparameters()
head = torch.nn.Linear(768, 50304, bias=False)
optimizer = torch.optim.AdamW(head.parameters(), lr=args.learning_rate, betas=(0.9, 0.95),
                              weight_decay=0.1, fused=True)
for step in range(10):
    head(torch.randn(1, 768)).sum().backward()
    optimizer.step()
    optimizer.zero_grad()
