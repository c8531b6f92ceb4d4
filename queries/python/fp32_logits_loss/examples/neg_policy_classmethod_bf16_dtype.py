# example: design-pattern style: the precision policy classmethod casts the head output to a class attribute dtype that is bfloat16; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class PrecisionPolicy:
    loss_dtype = torch.bfloat16

    @classmethod
    def promote(cls, logits):
        return logits.to(dtype=cls.loss_dtype)


class GPT(nn.Module):
    def __init__(self, vocab_size, d):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, d)
        self.lm_head = nn.Linear(d, vocab_size, bias=False)

    def forward(self, idx, targets):
        x = self.wte(idx)
        logits = PrecisionPolicy.promote(self.lm_head(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
