import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

from config import ModelConfig

flex_attention = torch.compile(flex_attention, dynamic=False)
create_block_mask = torch.compile(create_block_mask, dynamic=False)


class CastedLinear(nn.Linear):
    """Linear layer whose fp32 master weight is cast to the input dtype on the fly."""

    def __init__(self, d_in, d_out):
        super().__init__(d_in, d_out, bias=False)

    def forward(self, x):
        return F.linear(x, self.weight.to(dtype=x.dtype))


class Rotary(nn.Module):

    def __init__(self, dim, base):
        super().__init__()
        self.register_buffer("inv_freq", (1.0 / base) ** (torch.arange(0, dim, 2).float() / dim))
        self.cached = None

    def forward(self, x):
        T = x.size(1)
        if self.cached is None or self.cached[0] != T:
            t = torch.arange(T, device=x.device).float()
            f = torch.outer(t, self.inv_freq.to(x.device))
            self.cached = (T, f.cos().bfloat16()[None, :, None, :], f.sin().bfloat16()[None, :, None, :])
        _, cos, sin = self.cached
        d = x.size(-1) // 2
        x1, x2 = x[..., :d], x[..., d:]
        return torch.cat([x1 * cos + x2 * sin, x2 * cos - x1 * sin], dim=-1).type_as(x)


class Attention(nn.Module):

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.n_head = cfg.n_head
        self.hd = cfg.d_model // cfg.n_head
        self.q = CastedLinear(cfg.d_model, cfg.d_model)
        self.k = CastedLinear(cfg.d_model, cfg.d_model)
        self.v = CastedLinear(cfg.d_model, cfg.d_model)
        self.o = CastedLinear(cfg.d_model, cfg.d_model)
        self.rotary = Rotary(self.hd, cfg.rope_base)
        self.ve_mix = nn.Parameter(torch.tensor(cfg.value_embed_init_mix))

    def forward(self, x, ve, block_mask):
        B, T, C = x.shape
        q = self.rotary(self.q(x).view(B, T, self.n_head, self.hd))
        k = self.rotary(self.k(x).view(B, T, self.n_head, self.hd))
        v = self.v(x).view(B, T, self.n_head, self.hd)
        v = (1 - self.ve_mix) * v + self.ve_mix * ve.view_as(v)
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=block_mask)
        return self.o(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.fc = CastedLinear(cfg.d_model, cfg.mlp_mult * cfg.d_model)
        self.proj = CastedLinear(cfg.mlp_mult * cfg.d_model, cfg.d_model)

    def forward(self, x):
        return self.proj(F.gelu(self.fc(x), approximate="tanh"))


def rms(x):
    return F.rms_norm(x, (x.size(-1),))


class Block(nn.Module):

    def __init__(self, cfg):
        super().__init__()
        self.attn = Attention(cfg)
        self.mlp = MLP(cfg)

    def forward(self, x, ve, block_mask):
        x = x + self.attn(rms(x), ve, block_mask)
        return x + self.mlp(rms(x))


class PackedGPT(nn.Module):
    """Runs on a single packed stream of documents (batch size 1)."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab_size, cfg.d_model)
        # one wide table, sliced into a value embedding per layer
        self.vte = nn.Embedding(cfg.vocab_size, cfg.n_layer * cfg.d_model)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layer)])
        self.lm_head = CastedLinear(cfg.d_model, cfg.vocab_size)
        self.wte.weight = self.lm_head.weight

    def make_mask(self, tokens):
        docs = (tokens == self.cfg.eot_token).cumsum(0)
        window = self.cfg.attn_window

        def doc_window_causal(b, h, q_idx, kv_idx):
            causal = q_idx >= kv_idx
            same_doc = docs[q_idx] == docs[kv_idx]
            recent = q_idx - kv_idx < window
            return causal & same_doc & recent

        T = tokens.numel()
        return create_block_mask(doc_window_causal, None, None, T, T, device=tokens.device)

    def forward(self, tokens, targets):
        assert tokens.ndim == 1
        mask = self.make_mask(tokens)
        x = rms(self.wte(tokens[None]).bfloat16())
        ves = self.vte(tokens[None]).bfloat16().chunk(self.cfg.n_layer, dim=-1)
        for block, ve in zip(self.blocks, ves):
            x = block(x, ve, mask)
        logits = self.lm_head(rms(x)).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets)

    def to_training_precision(self):
        """bf16 everywhere except Linear master weights, which stay fp32."""
        self.bfloat16()
        for m in self.modules():
            if isinstance(m, CastedLinear):
                m.float()
        return self
