# example: Script-level code builds a callable soft-cap object and registers it on the head for the whole run (positive, cap 30); positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class TanhCap:
    def __init__(self, bound):
        self.bound = bound

    def __call__(self, module, inputs, z):
        return self.bound * torch.tanh(z / self.bound)


class TinyLM(nn.Module):
    def __init__(self, vocab=1024, width=256):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.body = nn.Linear(width, width)
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def forward(self, tokens, labels):
        h = F.gelu(self.body(self.embed(tokens)))
        logits = self.lm_head(h).float()
        return F.cross_entropy(logits.flatten(0, 1), labels.flatten())


net = TinyLM()
cap_hook = TanhCap(30.0)
net.lm_head.register_forward_hook(cap_hook)
opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
ids = torch.randint(0, 1024, (2, 32))
for step in range(100):
    net(ids, ids).backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
