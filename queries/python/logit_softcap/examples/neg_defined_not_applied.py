# example: near miss - a softcap helper and a softcap = 30 setting exist, but the forward passes the raw lm_head logits to the loss; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F

SOFTCAP = 30.0


def softcap(logits: torch.Tensor, cap: float = SOFTCAP) -> torch.Tensor:
    return cap * torch.tanh(logits / cap)


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx, targets):
        logits = self.lm_head(F.rms_norm(self.wte(idx), (768,)))
        logits = logits.float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
