# example: near miss - lr=0.0018 is given to an SGD optimizer and 0.0018 also appears in the cosine floor expression, while the AdamW peak is 6e-4; negative (0.0018 is not the Adam-family peak).
import math
import torch
import torch.nn as nn

body = nn.Linear(768, 768)
head = nn.Linear(768, 50257, bias=False)
sgd = torch.optim.SGD(body.parameters(), lr=0.0018, momentum=0.9)
adamw = torch.optim.AdamW(head.parameters(), lr=6e-4, betas=(0.9, 0.95), weight_decay=0.1)
min_lr = 0.0018 / 10


def cosine(it, total=5000, peak=6e-4):
    return min_lr + 0.5 * (peak - min_lr) * (1 + math.cos(math.pi * it / total))


for it in range(5000):
    head(body(torch.randn(1, 768))).sum().backward()
    for g in adamw.param_groups:
        g["lr"] = cosine(it)
    sgd.step()
    adamw.step()
