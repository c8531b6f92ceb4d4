# example: the same written-out cross-entropy computed in the logits' own bf16, with only the finished loss cast to fp32; negative.
import torch
import torch.nn as nn

def token_loss(logits, target):
    z = logits
    z = z - z.amax(dim=-1, keepdim=True)
    picked = z.gather(-1, target.unsqueeze(-1)).squeeze(-1)
    total = torch.exp(z).sum(dim=-1)
    return (torch.log(total) - picked).mean().float()

class LM(nn.Module):
    def __init__(self, vocab=50304, width=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.head = nn.Linear(width, vocab, bias=False)

    def forward(self, idx, target):
        return token_loss(self.head(self.embed(idx)), target)
