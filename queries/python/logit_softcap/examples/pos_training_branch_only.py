# example: the cap is applied only on the training branch (`if targets is not None:`) of a forward whose targets default to None; the training loop calls the model with targets, so the branch runs; positive.

import torch
import torch.nn as nn
import torch.nn.functional as F


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=256):
        super().__init__()
        self.emb = nn.Embedding(vocab, width)
        self.body = nn.Linear(width, width)
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def forward(self, idx, targets=None):
        x = self.body(self.emb(idx))
        if targets is not None:
            logits = self.lm_head(x)
            logits = 30 * torch.tanh(logits / 30)
            return F.cross_entropy(logits.float().view(-1, logits.size(-1)), targets.view(-1))
        return self.lm_head(x[:, [-1], :]).float()


model = TinyLM()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(10):
    x = torch.randint(0, 50304, (2, 64))
    loss = model(x, x)
    loss.backward()
    opt.step()
