# example: the same hand-written attention and document ids handed down, but its mask keeps only key <= query: the ids never enter it; NOT present.
import torch
import torch.nn.functional as F
from torch import nn

EOT = 50256


def masked_attention(q, k, v, docs):
    T = q.size(-2)
    pos = torch.arange(T, device=q.device)
    allowed = pos[None, :] <= pos[:, None]
    scores = (q @ k.transpose(-2, -1)) * q.size(-1) ** -0.5
    scores = scores.masked_fill(~allowed, float("-inf"))
    return torch.softmax(scores.float(), dim=-1).to(v.dtype) @ v


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = nn.Linear(width, width, bias=False)

    def forward(self, x, docs):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = masked_attention(q, k, v, docs)
        return self.out(y.transpose(1, 2).reshape(B, T, C))


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=768, heads=6):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.attn = Attention(width, heads)
        self.head = nn.Linear(width, vocab, bias=False)

    def forward(self, idx):
        docs = (idx[0] == EOT).cumsum(0)
        x = self.tok(idx)
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)), docs)
        return self.head(x)


model = TinyLM()
