# example: learning rates kept in a LR table dict ({"embed": 0.3, "head": 0.002}) and looked up when building one Adam per part; the embedding is the nn.Embedding used on token ids; positive.
import torch
import torch.nn as nn

LR = {"embed": 0.3, "head": 0.002, "hidden": 0.02}

tok_emb = nn.Embedding(50304, 768)
hidden = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
unembed = nn.Linear(768, 50304, bias=False)


def logits(idx):
    x = tok_emb(idx)
    for layer in hidden:
        x = x + torch.relu(layer(x))
    return unembed(x)


optimizers = {
    "embed": torch.optim.Adam([tok_emb.weight], lr=LR["embed"], betas=(0.9, 0.95)),
    "head": torch.optim.Adam([unembed.weight], lr=LR["head"], betas=(0.9, 0.95)),
    "hidden": torch.optim.SGD(hidden.parameters(), lr=LR["hidden"], momentum=0.95),
}
for step in range(10):
    idx = torch.randint(0, 50304, (2, 16))
    nn.functional.cross_entropy(logits(idx).flatten(0, 1), idx.flatten()).backward()
    for opt in optimizers.values():
        opt.step()
        opt.zero_grad(set_to_none=True)
