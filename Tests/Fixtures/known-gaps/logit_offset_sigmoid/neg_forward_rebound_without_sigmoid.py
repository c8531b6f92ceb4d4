# gap: the model's forward caps the logits with 30 * sigmoid(logits / 7.5), but a later patch rebinds GPT.forward to a function returning the plain logits before anything runs; negative (a method rebound after its class is read beside the one written in the class, which still counts).
import torch
import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=512):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx, targets):
        logits = self.head(F.rms_norm(self.embed(idx), (512,)))
        logits = 30 * torch.sigmoid(logits.float() / 7.5)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def plain_forward(self, idx, targets):
    logits = self.head(F.rms_norm(self.embed(idx), (512,))).float()
    return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


GPT.forward = plain_forward

model = GPT()
ids = torch.randint(0, 50304, (2, 64))
model(ids, ids).backward()
