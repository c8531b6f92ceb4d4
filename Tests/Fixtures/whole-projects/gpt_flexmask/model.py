import torch
import torch.nn as nn
import torch.nn.functional as F

from attention import attend, build_masks


def rms(x):
    return F.rms_norm(x, (x.size(-1),))


class Rotary(nn.Module):

    def __init__(self, head_dim, base=10000.0):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / base ** (torch.arange(0, head_dim, 2).float() / head_dim),
                             persistent=False)

    def forward(self, x):
        T = x.size(1)
        t = torch.arange(T, device=x.device).float()
        f = torch.outer(t, self.inv_freq)
        cos, sin = f.cos()[None, :, None, :], f.sin()[None, :, None, :]
        x1, x2 = x.float().chunk(2, dim=-1)
        return torch.cat([x1 * cos + x2 * sin, x2 * cos - x1 * sin], -1).type_as(x)


class SelfAttention(nn.Module):

    def __init__(self, d, n_head):
        super().__init__()
        self.h, self.hd = n_head, d // n_head
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.proj = nn.Linear(d, d, bias=False)
        self.rotary = Rotary(self.hd)

    def forward(self, x, mask):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.h, self.hd).unbind(2)
        q, k = rms(q), rms(k)  # per-head normalisation
        q, k = self.rotary(q), self.rotary(k)
        return self.proj(attend(q, k, v, mask).reshape(B, T, C))


class Block(nn.Module):

    def __init__(self, d, n_head, kind):
        super().__init__()
        self.kind = kind
        self.attn = SelfAttention(d, n_head)
        self.fc = nn.Linear(d, 4 * d, bias=False)
        self.out = nn.Linear(4 * d, d, bias=False)

    def forward(self, x, mask):
        x = x + self.attn(rms(x), mask)
        return x + self.out(F.gelu(self.fc(rms(x)), approximate="tanh"))


class FlexGPT(nn.Module):

    def __init__(self, hp):
        super().__init__()
        self.hp = hp
        self.tok = nn.Embedding(hp.vocab_size, hp.d_model)
        self.blocks = nn.ModuleList(Block(hp.d_model, hp.n_head, k) for k in hp.layer_pattern)
        self.head = nn.Linear(hp.d_model, hp.vocab_size, bias=False)
        self.head.weight = self.tok.weight
        nn.init.normal_(self.tok.weight, std=0.02)

    def forward(self, tokens, targets, window_tiles):
        # tokens: 1-D packed stream
        local_mask, global_mask = build_masks(tokens, self.hp.eot_id, self.hp.block_size, window_tiles)
        x = self.tok(tokens)[None]
        for blk in self.blocks:
            x = blk(x, global_mask if blk.kind == "G" else local_mask)
        logits = self.head(rms(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets)
