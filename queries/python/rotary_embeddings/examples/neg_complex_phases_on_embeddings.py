# example: near miss - complex phases exp(1j * angle) are built and applied, but to the token embeddings (a
# rotating absolute position code), never to the queries and keys of attention; negative.
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


class PhaseCode(nn.Module):
    def __init__(self, dim, length=2048):
        super().__init__()
        idx = torch.arange(dim // 2, dtype=torch.float32)
        omega = torch.exp(idx * (-2.0 * math.log(10000.0) / dim))
        angle = torch.arange(length, dtype=torch.float32)[:, None] * omega[None, :]
        self.register_buffer("turn", torch.exp(1j * angle), persistent=False)

    def forward(self, h):
        z = torch.complex(h[..., 0::2].float(), h[..., 1::2].float()) * self.turn[: h.size(1)]
        return torch.stack((z.real, z.imag), dim=-1).flatten(-2).type_as(h)


class Attend(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.out = nn.Linear(dim, dim, bias=False)

    def forward(self, h):
        b, t, d = h.shape
        q, k, v = self.qkv(h).view(b, t, 3, self.heads, -1).transpose(1, 3).unbind(2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(b, t, d))


class Net(nn.Module):
    def __init__(self, vocab=50304, dim=512, heads=8, depth=6):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.code = PhaseCode(dim)
        self.layers = nn.ModuleList(Attend(dim, heads) for _ in range(depth))
        self.readout = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        h = self.code(self.embed(idx))
        for layer in self.layers:
            h = h + layer(F.rms_norm(h, (h.size(-1),)))
        return self.readout(F.rms_norm(h, (h.size(-1),)))
