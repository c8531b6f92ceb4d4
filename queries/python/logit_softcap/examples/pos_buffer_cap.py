# example: Cap stored as a registered buffer; applied as cap * torch.tanh(logits.div(cap)) before the loss; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12, cap=30.0):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(n))
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.register_buffer("logit_cap", torch.tensor(cap), persistent=False)

    def forward(self, idx, targets):
        x = F.rms_norm(self.wte(idx), (768,))
        for b in self.blocks:
            x = x + F.relu(b(x)).square()
        logits = self.lm_head(F.rms_norm(x, (768,)))
        logits = self.logit_cap * torch.tanh(logits.div(self.logit_cap))
        return F.cross_entropy(logits.float().view(-1, logits.size(-1)), targets.view(-1))


model = GPT()
