# example: the offset sigmoid cap 30 * sigmoid(logits / 7.5) (equal to 15 * tanh(logits / 15) + 15) applied in fp32 before cross_entropy; positive by decision (a tanh soft-cap up to a constant shift).
import torch
import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def forward(self, ids, target):
        x = F.rms_norm(self.embed(ids), (768,))
        logits = self.lm_head(x).float()
        logits = 30 * torch.sigmoid(logits / 7.5)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), target.view(-1))


model = GPT()
print(model(torch.randint(0, 50304, (1, 8)), torch.randint(0, 50304, (1, 8))))
