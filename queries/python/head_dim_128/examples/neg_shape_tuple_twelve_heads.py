# example: near miss - the same attention with the head split held in a local shape tuple, but 12 heads at width 768, so each head is 64 wide; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class MultiHeadAttention(nn.Module):
    def __init__(self, width, n_heads):
        super().__init__()
        assert width % n_heads == 0
        self.n_heads = n_heads
        self.head_dim = width // n_heads
        self.wq = nn.Linear(width, width, bias=False)
        self.wk = nn.Linear(width, width, bias=False)
        self.wv = nn.Linear(width, width, bias=False)
        self.wo = nn.Linear(width, width, bias=False)

    def forward(self, x):
        b, t, c = x.shape
        shape = (b, t, self.n_heads, self.head_dim)
        q = self.wq(x).view(shape).transpose(1, 2)
        k = self.wk(x).view(shape).transpose(1, 2)
        v = self.wv(x).view(shape).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.wo(y.transpose(1, 2).reshape(b, t, c))


class Layer(nn.Module):
    def __init__(self, width, n_heads):
        super().__init__()
        self.ln = nn.LayerNorm(width)
        self.attn = MultiHeadAttention(width, n_heads)

    def forward(self, x):
        return x + self.attn(self.ln(x))


class Stack(nn.Module):
    def __init__(self, vocab=50304, width=768, n_heads=12, depth=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList(Layer(width, n_heads) for _ in range(depth))
        self.head = nn.Linear(width, vocab, bias=False)

    def forward(self, idx):
        h = self.embed(idx)
        for layer in self.layers:
            h = layer(h)
        return self.head(h)


model = Stack()
