from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class NetConfig:
    vocab_size: int = 50304
    n_layer: int = 12
    n_head: int = 12
    d_model: int = 768
    max_seq_len: int = 65536
    logit_cap: float = 15.0
    mlp_only_layers: tuple = (7,)
    n_value_tables: int = 3


def rms(x):
    return F.rms_norm(x, (x.size(-1),))


class Dense(nn.Linear):
    """nn.Linear with a narrower uniform init: std = 0.5 / sqrt(fan_in)."""

    def __init__(self, d_in, d_out):
        super().__init__(d_in, d_out, bias=False)

    def reset_parameters(self):
        std = 0.5 * self.in_features ** -0.5
        bound = (3.0 ** 0.5) * std
        with torch.no_grad():
            self.weight.uniform_(-bound, bound)


class PartialRotary(nn.Module):
    """Rotary encoding in which only a quarter of the frequencies are non-zero;
    the remaining pairs are left unrotated (position independent)."""

    def __init__(self, head_dim, max_seq_len):
        super().__init__()
        n = head_dim // 4
        freqs = (1.0 / 1024) ** torch.linspace(0, 1, steps=n, dtype=torch.float32)
        freqs = torch.cat([freqs, freqs.new_zeros(n)])
        pos = torch.arange(max_seq_len, dtype=torch.float32)
        theta = torch.einsum("t,f->tf", pos, freqs)
        self.register_buffer("cos", theta.cos(), persistent=False)
        self.register_buffer("sin", theta.sin(), persistent=False)

    def forward(self, x):
        T = x.size(-3)
        cos = self.cos[None, :T, None, :]
        sin = self.sin[None, :T, None, :]
        a, b = x.float().chunk(2, dim=-1)
        out = torch.cat((a * cos + b * sin, b * cos - a * sin), dim=-1)
        return out.type_as(x)


class Attention(nn.Module):

    def __init__(self, cfg: NetConfig):
        super().__init__()
        self.h = cfg.n_head
        self.hd = cfg.d_model // cfg.n_head
        self.c_q = Dense(cfg.d_model, cfg.d_model)
        self.c_k = Dense(cfg.d_model, cfg.d_model)
        self.c_v = Dense(cfg.d_model, cfg.d_model)
        self.c_proj = Dense(cfg.d_model, cfg.d_model)
        self.rotary = PartialRotary(self.hd, cfg.max_seq_len)
        self.v_lambdas = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, x, ve):
        B, T, C = x.shape
        q = self.c_q(x).view(B, T, self.h, self.hd)
        k = self.c_k(x).view(B, T, self.h, self.hd)
        v = self.c_v(x).view(B, T, self.h, self.hd)
        q, k = self.rotary(q), self.rotary(k)
        if ve is not None:
            v = self.v_lambdas[0] * v + self.v_lambdas[1] * ve.view_as(v)
        else:
            v = self.v_lambdas[0] * v
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):

    def __init__(self, d):
        super().__init__()
        self.c_fc = Dense(d, 4 * d)
        self.c_proj = Dense(4 * d, d)

    def forward(self, x):
        h = F.relu(self.c_fc(x))
        return self.c_proj(h * h)


class Block(nn.Module):

    def __init__(self, cfg: NetConfig, layer_idx: int):
        super().__init__()
        self.attn = None if layer_idx in cfg.mlp_only_layers else Attention(cfg)
        self.mlp = MLP(cfg.d_model)

    def forward(self, x, ve):
        if self.attn is not None:
            x = x + self.attn(rms(x), ve)
        return x + self.mlp(rms(x))


class ValueTables(nn.Module):
    """A few token->value lookup tables shared by the outermost layers."""

    def __init__(self, cfg: NetConfig):
        super().__init__()
        self.n_layer = cfg.n_layer
        self.tables = nn.ModuleList(nn.Embedding(cfg.vocab_size, cfg.d_model) for _ in range(cfg.n_value_tables))

    def forward(self, idx):
        ve = [t(idx) for t in self.tables]
        middle = [None] * (self.n_layer - 2 * len(ve))
        # first k layers and last k layers: tables 0..k-1, 0..k-1
        return ve + middle + ve


class GPT(nn.Module):

    def __init__(self, cfg: NetConfig):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.value_tables = ValueTables(cfg)
        self.blocks = nn.ModuleList(Block(cfg, i) for i in range(cfg.n_layer))
        self.n_enc = cfg.n_layer // 2
        self.n_dec = cfg.n_layer - self.n_enc
        self.skip_weights = nn.Parameter(torch.ones(self.n_dec))
        self.lm_head = Dense(cfg.d_model, cfg.vocab_size)

    def embeddings_to_bf16(self):
        # embeddings are the only bf16 weights; everything else stays fp32
        for m in self.modules():
            if isinstance(m, nn.Embedding):
                m.bfloat16()
        return self

    def forward(self, idx, targets):
        ve = self.value_tables(idx)
        x = self.wte(idx)
        stack = []
        for i in range(self.n_enc):
            x = self.blocks[i](x, ve[i])
            stack.append(x)
        for j in range(self.n_dec):
            x = x + self.skip_weights[j] * stack.pop()
            x = self.blocks[self.n_enc + j](x, ve[self.n_enc + j])
        logits = self.lm_head(rms(x))
        cap = self.cfg.logit_cap
        logits = cap * torch.tanh(logits / cap)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
