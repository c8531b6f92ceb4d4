# example: near miss: one SoftCap class serves twice: the 15 cap (built first) goes on the attention scores as a FlexAttention score_mod, while the output logits keep a 30 cap through another SoftCap object (a class attribute of the model); not a 15 cap on the logits.
import torch
from torch import nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import flex_attention


class SoftCap:
    def __init__(self, cap):
        self.cap = cap

    def __call__(self, x):
        return self.cap * torch.tanh(x / self.cap)

    def as_score_mod(self):
        cap = self.cap

        def score_mod(score, b, h, q_idx, kv_idx):
            return cap * torch.tanh(score / cap)
        return score_mod


class Attention(nn.Module):
    score_cap = SoftCap(15.0)

    def __init__(self, dim):
        super().__init__()
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.score_mod = self.score_cap.as_score_mod()

    def forward(self, x):
        q, k, v = self.qkv(x).view(1, x.size(1), 3, 6, -1).unbind(2)
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), score_mod=self.score_mod)
        return y.transpose(1, 2).reshape_as(x)


class TinyLM(nn.Module):
    logit_cap = SoftCap(30.0)

    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.attn = Attention(dim)
        self.lm_head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx, targets):
        x = self.embed(idx)
        x = x + self.attn(x)
        logits = self.logit_cap(self.lm_head(x)).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
