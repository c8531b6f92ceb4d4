# example: a single AdamW gets eps through each parameter-group dictionary (eps computed as 1e-5 ** 2); the groups hold the head and the embeddings.
import torch
from torch import nn

EPS = 1e-5 ** 2
embed = nn.Embedding(50304, 768)
lm_head = nn.Linear(768, 50304, bias=False)
opt = torch.optim.AdamW(
    [
        {"params": [lm_head.weight], "lr": 0.008, "eps": EPS},
        {"params": [embed.weight], "lr": 0.6, "eps": EPS},
    ],
    betas=(0.8, 0.95),
    weight_decay=0.0,
)
