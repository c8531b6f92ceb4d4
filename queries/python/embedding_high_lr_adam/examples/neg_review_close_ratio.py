# example: separate Adam param groups for embedding (lr 0.3) and head (lr 0.1): the head lr is a third of the embedding lr, not at most a tenth; negative.
import torch
import torch.nn as nn

emb = nn.Embedding(50304, 768)
body = nn.Linear(768, 768, bias=False)
head = nn.Linear(768, 50304, bias=False)


def forward(idx):
    return head(torch.relu(body(emb(idx))))


optimizer = torch.optim.Adam(
    [
        {"params": [emb.weight], "lr": 0.3},
        {"params": [head.weight], "lr": 0.1},
        {"params": body.parameters(), "lr": 0.002},
    ],
    betas=(0.9, 0.95),
)
idx = torch.randint(0, 50304, (2, 8))
nn.functional.cross_entropy(forward(idx).flatten(0, 1), idx.flatten()).backward()
optimizer.step()
