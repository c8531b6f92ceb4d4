# example: positive - the head's AdamW is built at a shared base rate, then retuned in place (`param_groups[0]["lr"] = 0.002`) and handed the embedding as an added group at 0.3.
import torch
import torch.nn as nn

BASE = 0.0018

emb = nn.Embedding(50304, 768)
head = nn.Linear(768, 50304, bias=False)
hidden = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))

adam = torch.optim.AdamW(head.parameters(), lr=BASE, betas=(0.9, 0.95), weight_decay=0.0)
sgd = torch.optim.SGD(hidden.parameters(), lr=0.02, momentum=0.95)
adam.param_groups[0]["lr"] = 0.002
adam.add_param_group(dict(params=[emb.weight], lr=0.3))
for step in range(3):
    x = emb(torch.randint(0, 50304, (2, 16)))
    for layer in hidden:
        x = x + layer(x)
    head(x).float().logsumexp(-1).mean().backward()
    adam.step()
    sgd.step()
