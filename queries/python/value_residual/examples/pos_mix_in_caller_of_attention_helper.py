# example: The attention math lives in a module-level helper handed the values; each layer's forward blends its values with the first layer's (kept on the first call) before calling the helper; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


def run_heads(q, k, v, proj):
    b, t, h, d = q.shape
    out = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
    return proj(out.transpose(1, 2).reshape(b, t, h * d))


class Mixer(nn.Module):
    def __init__(self, width=768, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = nn.Linear(width, width, bias=False)
        self.alpha = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, first_values=None):
        b, t, c = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, c // self.heads).unbind(2)
        if first_values is None:
            first_values = v
        v = torch.lerp(v, first_values, self.alpha)
        return run_heads(q, k, v, self.out), first_values


class Stack(nn.Module):
    def __init__(self, depth=12, width=768, vocab=50304):
        super().__init__()
        self.table = nn.Embedding(vocab, width)
        self.mixers = nn.ModuleList([Mixer(width) for _ in range(depth)])
        self.head = nn.Linear(width, vocab, bias=False)

    def forward(self, ids, labels):
        x = self.table(ids)
        first_values = None
        for mixer in self.mixers:
            y, first_values = mixer(F.rms_norm(x, (x.size(-1),)), first_values)
            x = x + y
        logits = self.head(F.rms_norm(x, (x.size(-1),))).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1))


model = Stack()
ids = torch.randint(0, 50304, (2, 128))
model(ids, ids).backward()
