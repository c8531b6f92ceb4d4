from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class TinyLMConfig:
    vocab_size: int = 50257
    n_layer: int = 12
    n_head: int = 12
    dim: int = 768
    ffn_hidden: int = 2048
    softcap: float = 30.0
    rope_theta: float = 10000.0


class CastedLinear(nn.Linear):

    def __init__(self, in_features, out_features):
        super().__init__(in_features, out_features, bias=False)

    def forward(self, x):
        return F.linear(x, self.weight.type_as(x))


def _norm(x):
    return F.rms_norm(x, (x.size(-1),))


class RotaryEmbedding(nn.Module):

    def __init__(self, dim, theta):
        super().__init__()
        inv_freq = 1.0 / (theta ** (torch.arange(0, dim, 2).float() / dim))
        self.register_buffer("inv_freq", inv_freq)
        self._T = None

    def tables(self, T, device):
        if self._T != T:
            t = torch.arange(T, device=device, dtype=self.inv_freq.dtype)
            freqs = torch.outer(t, self.inv_freq)
            self._cos = freqs.cos().bfloat16()
            self._sin = freqs.sin().bfloat16()
            self._T = T
        return self._cos[None, :, None, :], self._sin[None, :, None, :]


def apply_rope(x, cos, sin):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((x1 * cos + x2 * sin, -x1 * sin + x2 * cos), dim=-1).type_as(x)


class Attention(nn.Module):

    def __init__(self, cfg):
        super().__init__()
        self.nh = cfg.n_head
        self.hd = cfg.dim // cfg.n_head
        self.wq = CastedLinear(cfg.dim, cfg.dim)
        self.wk = CastedLinear(cfg.dim, cfg.dim)
        self.wv = CastedLinear(cfg.dim, cfg.dim)
        self.wo = CastedLinear(cfg.dim, cfg.dim)
        self.rope = RotaryEmbedding(self.hd, cfg.rope_theta)

    def forward(self, x):
        B, T, C = x.shape
        q = self.wq(x).view(B, T, self.nh, self.hd)
        k = self.wk(x).view(B, T, self.nh, self.hd)
        v = self.wv(x).view(B, T, self.nh, self.hd)
        cos, sin = self.rope.tables(T, x.device)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        out = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.wo(out.transpose(1, 2).reshape(B, T, C))


class SwiGLU(nn.Module):

    def __init__(self, cfg):
        super().__init__()
        self.w_gate = CastedLinear(cfg.dim, cfg.ffn_hidden)
        self.w_up = CastedLinear(cfg.dim, cfg.ffn_hidden)
        self.w_down = CastedLinear(cfg.ffn_hidden, cfg.dim)

    def forward(self, x):
        return self.w_down(F.silu(self.w_gate(x)) * self.w_up(x))


class Layer(nn.Module):

    def __init__(self, cfg):
        super().__init__()
        self.attn = Attention(cfg)
        self.ffn = SwiGLU(cfg)

    def forward(self, x):
        x = x + self.attn(_norm(x))
        return x + self.ffn(_norm(x))


class TinyLM(nn.Module):

    def __init__(self, cfg: TinyLMConfig):
        super().__init__()
        self.cfg = cfg
        self.tok_emb = nn.Embedding(cfg.vocab_size, cfg.dim)
        self.layers = nn.ModuleList(Layer(cfg) for _ in range(cfg.n_layer))
        # separate output matrix, starting from all-zero weights
        self.output = CastedLinear(cfg.dim, cfg.vocab_size)
        self.output.weight.data.zero_()

    def forward(self, idx, targets=None):
        h = _norm(self.tok_emb(idx))
        for layer in self.layers:
            h = layer(h)
        logits = self.output(_norm(h))
        c = self.cfg.softcap
        logits = c * torch.tanh(logits / c)
        logits = logits.float()
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
