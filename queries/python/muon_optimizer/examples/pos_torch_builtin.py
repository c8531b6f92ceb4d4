# example: the built-in torch.optim.Muon (PyTorch >= 2.9) on 2-D hidden weights, with AdamW for embedding, head and vectors; positive (library implementation of the same optimizer).
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, 4 * d, bias=False)
        self.proj = nn.Linear(4 * d, d, bias=False)
        self.gain = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x + self.proj(torch.relu(self.fc(x * self.gain)))


emb = nn.Embedding(50304, 768)
blocks = nn.Sequential(*[Block(768) for _ in range(12)])
unembed = nn.Linear(768, 50304, bias=False)

hidden = [p for p in blocks.parameters() if p.ndim == 2]
rest = [p for p in blocks.parameters() if p.ndim != 2] + list(emb.parameters()) + list(unembed.parameters())
opt_hidden = torch.optim.Muon(hidden, lr=0.02, momentum=0.95, nesterov=True)
opt_rest = torch.optim.AdamW(rest, lr=0.008, betas=(0.9, 0.95), weight_decay=0.0)

for step in range(10):
    ids = torch.randint(0, 50304, (2, 128))
    logits = unembed(blocks(emb(ids)))
    torch.nn.functional.cross_entropy(logits.flatten(0, 1), ids.flatten()).backward()
    opt_hidden.step()
    opt_rest.step()
    for o in (opt_hidden, opt_rest):
        o.zero_grad(set_to_none=True)
