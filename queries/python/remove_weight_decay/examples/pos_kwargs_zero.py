# example: Adam and AdamW share an options dict unpacked into both constructors, with weight_decay 0.0 set in it; positive (zero decay reached through **kwargs).
import torch

OPTS = {"betas": (0.9, 0.95), "eps": 1e-8, "weight_decay": 0.0}

emb = torch.nn.Embedding(50304, 768)
head = torch.nn.Linear(768, 50304, bias=False)
o1 = torch.optim.Adam(emb.parameters(), lr=0.3, **OPTS)
o2 = torch.optim.AdamW(head.parameters(), lr=0.002, **OPTS)
for _ in range(3):
    head(emb(torch.randint(0, 50304, (2, 8)))).sum().backward()
    for o in (o1, o2):
        o.step()
        o.zero_grad()
