# example: near miss - 30 * tanh(scores / 30) caps the ATTENTION scores inside self-attention; the output logits are uncapped; negative for the output-logit id.
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, d=768, heads=6, cap=30.0):
        super().__init__()
        self.heads, self.cap = heads, cap
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.out = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
        scores = self.cap * torch.tanh(scores / self.cap)
        mask = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
        att = scores.masked_fill(~mask, float("-inf")).softmax(-1)
        return self.out((att @ v).transpose(1, 2).reshape(B, T, C))


class LM(nn.Module):
    def __init__(self, vocab=50304, d=768):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.attn = Attention(d)
        self.head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx, targets):
        x = self.emb(idx)
        x = x + self.attn(x)
        logits = self.head(x).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
