# example: the head is built as a plain nn.Linear and then handed to a helper that zeroes the weight of the module it is given (its return value unused), under a constructor flag that defaults to True; positive.
import torch.nn as nn
import torch.nn.functional as F


def zero_init_(module):
    nn.init.zeros_(module.weight)
    return module


class GPT(nn.Module):
    def __init__(self, *, vocab=50304, dim=768, depth=12, zero_init_logits=True):
        super().__init__()
        self.token_emb = nn.Embedding(vocab, dim)
        self.layers = nn.ModuleList([nn.Linear(dim, dim, bias=False) for _ in range(depth)])
        self.to_logits = nn.Linear(dim, vocab, bias=False)
        if zero_init_logits:
            zero_init_(self.to_logits)

    def forward(self, idx):
        x = F.rms_norm(self.token_emb(idx), (768,))
        for layer in self.layers:
            x = x + layer(F.rms_norm(x, (768,)))
        return self.to_logits(F.rms_norm(x, (768,))).float()
