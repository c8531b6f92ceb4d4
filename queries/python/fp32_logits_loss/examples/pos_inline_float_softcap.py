# example: the head's logits are soft-capped with tanh on an inline .float() and the result goes to cross_entropy; positive (cast inside the soft-cap expression).
import torch
import torch.nn as nn
import torch.nn.functional as F


class LM(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.out = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx, tgt):
        h = F.rms_norm(self.emb(idx), (768,))
        z = self.out(h)
        z = 15 * torch.tanh(z.float() / 15)
        return F.cross_entropy(z.view(-1, z.size(-1)), tgt.view(-1))
