# example: near miss - 30 * tanh(x / 30) squashes the final HIDDEN state before the head; the logits themselves are not capped; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx, targets):
        x = F.rms_norm(self.wte(idx), (768,))
        x = 30 * torch.tanh(x / 30)
        logits = self.lm_head(x).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
