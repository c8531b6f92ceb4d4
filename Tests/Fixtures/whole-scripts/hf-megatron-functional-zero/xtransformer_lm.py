"""
Decoder-only LM in the style of a switch-heavy transformer library: a single Attention and a single
FeedForward class, toggled with keyword flags, assembled by an AttentionLayers stack and a
TransformerWrapper. Training loop at the bottom.
"""

from __future__ import annotations

import glob
import math
import os
import time
from functools import partial

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn, Tensor

# helpers ------------------------------------------------------------------------------------


def exists(v):
    return v is not None


def default(v, d):
    return v if exists(v) else d


def cast_tuple(t, length=1):
    return t if isinstance(t, tuple) else ((t,) * length)


def l2norm_rms(t, eps=None):
    # parameter-free rms normalisation over the last dimension
    return F.rms_norm(t, (t.shape[-1],), eps=eps)


def init_zero_(layer: nn.Linear):
    nn.init.zeros_(layer.weight)
    if exists(layer.bias):
        nn.init.zeros_(layer.bias)


def local_causal_mask(n, window, device):
    i = torch.arange(n, device=device)[:, None]
    j = torch.arange(n, device=device)[None, :]
    mask = j <= i
    if exists(window):
        mask = mask & ((i - j) < window)
    return mask


# positional ---------------------------------------------------------------------------------


class RotaryEmbedding(nn.Module):
    def __init__(self, dim, theta=10000.0):
        super().__init__()
        inv_freq = 1.0 / (theta ** (torch.arange(0, dim, 2).float() / dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def forward(self, seq_len, device):
        t = torch.arange(seq_len, device=device).type_as(self.inv_freq)
        freqs = torch.einsum("i , j -> i j", t, self.inv_freq)
        return torch.cat((freqs, freqs), dim=-1)


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def apply_rotary_pos_emb(t, freqs):
    # t: (b, h, n, d); freqs: (n, d)
    return t * freqs.cos().to(t.dtype) + rotate_half(t) * freqs.sin().to(t.dtype)


# feedforward --------------------------------------------------------------------------------


class ReluSquared(nn.Module):
    def forward(self, x):
        return F.relu(x) ** 2


class FeedForward(nn.Module):
    def __init__(
        self,
        dim,
        dim_out=None,
        mult=4,
        glu=False,
        swish=False,
        ff_relu_squared=False,
        post_act_ln=False,
        dropout=0.0,
        no_bias=True,
        zero_init_output=False,
    ):
        super().__init__()
        inner_dim = int(dim * mult)
        dim_out = default(dim_out, dim)
        if ff_relu_squared:
            activation = ReluSquared()
        elif swish:
            activation = nn.SiLU()
        else:
            activation = nn.GELU()
        self.glu = glu
        self.proj_in = nn.Linear(dim, inner_dim * (2 if glu else 1), bias=not no_bias)
        self.act = activation
        self.post_act_norm = nn.LayerNorm(inner_dim) if post_act_ln else nn.Identity()
        self.dropout = nn.Dropout(dropout)
        self.proj_out = nn.Linear(inner_dim, dim_out, bias=not no_bias)
        if zero_init_output:
            init_zero_(self.proj_out)

    def forward(self, x):
        if self.glu:
            x, gate = self.proj_in(x).chunk(2, dim=-1)
            x = x * self.act(gate)
        else:
            x = self.act(self.proj_in(x))
        return self.proj_out(self.dropout(self.post_act_norm(x)))


# attention ----------------------------------------------------------------------------------


class Attention(nn.Module):
    def __init__(
        self,
        dim,
        dim_head=64,
        heads=8,
        causal=True,
        qk_norm=False,
        rotary_pos_emb=False,
        value_residual=False,
        value_residual_init=0.5,
        sliding_window=None,
        attn_scale=None,
        gate_values=False,
        dropout=0.0,
        zero_init_output=False,
    ):
        super().__init__()
        self.heads = heads
        self.dim_head = dim_head
        self.causal = causal
        self.qk_norm = qk_norm
        self.sliding_window = sliding_window
        self.scale = attn_scale  # None -> library default of dim_head ** -0.5
        self.dropout = dropout
        inner = dim_head * heads
        self.to_q = nn.Linear(dim, inner, bias=False)
        self.to_k = nn.Linear(dim, inner, bias=False)
        self.to_v = nn.Linear(dim, inner, bias=False)
        self.to_out = nn.Linear(inner, dim, bias=False)
        self.rotary = RotaryEmbedding(dim_head) if rotary_pos_emb else None
        self.to_v_gate = nn.Linear(dim, inner) if gate_values else None
        self.value_residual = value_residual
        if value_residual:
            self.value_residual_mix = nn.Parameter(torch.tensor(float(value_residual_init)))
        if zero_init_output:
            init_zero_(self.to_out)

    def split_heads(self, t):
        b, n, _ = t.shape
        return t.view(b, n, self.heads, self.dim_head).transpose(1, 2)

    def forward(self, x, first_values: Tensor | None = None):
        b, n, _ = x.shape
        q, k, v = self.split_heads(self.to_q(x)), self.split_heads(self.to_k(x)), self.split_heads(self.to_v(x))
        orig_values = v

        if self.value_residual and exists(first_values):
            # (1 - lambda) * v + lambda * v_first, lambda learned
            v = torch.lerp(v, first_values, self.value_residual_mix.to(v.dtype))

        if self.qk_norm:
            q, k = l2norm_rms(q), l2norm_rms(k)

        if exists(self.rotary):
            freqs = self.rotary(n, x.device)
            q, k = apply_rotary_pos_emb(q, freqs), apply_rotary_pos_emb(k, freqs)

        if exists(self.sliding_window) and self.sliding_window < n:
            mask = local_causal_mask(n, self.sliding_window, x.device)
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=self.scale)
        else:
            out = F.scaled_dot_product_attention(q, k, v, is_causal=self.causal, scale=self.scale)

        if exists(self.to_v_gate):
            out = out * self.split_heads(self.to_v_gate(x)).sigmoid()

        out = out.transpose(1, 2).reshape(b, n, -1)
        return self.to_out(out), orig_values


# layers -------------------------------------------------------------------------------------


class AttentionLayers(nn.Module):
    def __init__(
        self,
        dim,
        depth,
        heads=8,
        unet_skips=False,
        embed_mix=False,
        **kwargs,
    ):
        super().__init__()
        attn_kwargs = {k[len("attn_"):]: v for k, v in kwargs.items() if k.startswith("attn_")}
        ff_kwargs = {k[len("ff_"):]: v for k, v in kwargs.items() if k.startswith("ff_")}
        # the ff_relu_squared key is consumed under its full name
        if "relu_squared" in ff_kwargs:
            ff_kwargs["ff_relu_squared"] = ff_kwargs.pop("relu_squared")
        self.depth = depth
        self.embed_mix = embed_mix
        self.unet_skips = unet_skips
        self.layers = nn.ModuleList([])
        for _ in range(depth):
            self.layers.append(
                nn.ModuleList(
                    [
                        nn.RMSNorm(dim, elementwise_affine=False),
                        Attention(dim, heads=heads, **attn_kwargs),
                        nn.RMSNorm(dim, elementwise_affine=False),
                        FeedForward(dim, **ff_kwargs),
                    ]
                )
            )
        if embed_mix:
            # per-layer (residual weight, embedding weight), starts as a plain residual stream
            self.embed_mix_weights = nn.ParameterList(
                [nn.Parameter(torch.tensor([1.0, 0.0])) for _ in range(depth)]
            )
        if unet_skips:
            assert depth % 2 == 0
            self.skip_scales = nn.Parameter(torch.ones(depth // 2))
        self.final_norm = nn.RMSNorm(dim, elementwise_affine=False)

    def forward(self, x):
        x0 = x
        first_values = None
        skips = []
        half = self.depth // 2
        for ind, (attn_norm, attn, ff_norm, ff) in enumerate(self.layers):
            if self.unet_skips and ind >= half:
                x = x + self.skip_scales[ind - half] * skips.pop()
            if self.embed_mix:
                w = self.embed_mix_weights[ind]
                x = w[0] * x + w[1] * x0
            out, values = attn(attn_norm(x), first_values=first_values)
            if first_values is None:
                first_values = values
            x = x + out
            x = x + ff(ff_norm(x))
            if self.unet_skips and ind < half:
                skips.append(x)
        return self.final_norm(x)


class TransformerWrapper(nn.Module):
    def __init__(
        self,
        *,
        num_tokens,
        max_seq_len,
        attn_layers: AttentionLayers,
        emb_dim=None,
        l2norm_embed=False,
        post_emb_rmsnorm=False,
        tie_embedding=False,
        logits_softclamp=None,
    ):
        super().__init__()
        dim = attn_layers.layers[0][1].to_q.in_features
        emb_dim = default(emb_dim, dim)
        self.max_seq_len = max_seq_len
        self.token_emb = nn.Embedding(num_tokens, emb_dim)
        self.post_emb_rmsnorm = post_emb_rmsnorm
        self.attn_layers = attn_layers
        self.logits_softclamp = logits_softclamp
        self.tie_embedding = tie_embedding
        self.to_logits = None if tie_embedding else nn.Linear(dim, num_tokens, bias=False)
        nn.init.normal_(self.token_emb.weight, std=0.02)

    def forward(self, tokens, labels=None):
        x = self.token_emb(tokens)
        if self.post_emb_rmsnorm:
            x = F.rms_norm(x, (x.size(-1),))
        x = self.attn_layers(x)
        if self.tie_embedding:
            logits = x @ self.token_emb.weight.t()
        else:
            logits = self.to_logits(x)
        if exists(self.logits_softclamp):
            c = self.logits_softclamp
            logits = torch.tanh(logits / c) * c
        if labels is None:
            return logits
        return F.cross_entropy(logits.flatten(0, 1), labels.flatten())


# optimizer ----------------------------------------------------------------------------------


def orthogonalize(G, steps=5, eps=1e-7):
    """Quintic Newton-Schulz iteration towards U V^T, run in bfloat16."""
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    X = X / (X.norm() + eps)
    tall = G.size(0) > G.size(1)
    if tall:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        X = a * X + b * (A @ X) + c * (A @ (A @ X))
    if tall:
        X = X.T
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, nesterov=True, ns_steps=5, weight_decay=0.01):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, ns_steps=ns_steps,
                                      weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if not st:
                    st["buf"] = torch.zeros_like(p.grad)
                buf = st["buf"]
                buf.mul_(group["momentum"]).add_(p.grad)
                g = p.grad.add(buf, alpha=group["momentum"]) if group["nesterov"] else buf
                update = orthogonalize(g, steps=group["ns_steps"])
                update = update * max(1.0, p.size(0) / p.size(1)) ** 0.5
                p.mul_(1 - group["lr"] * group["weight_decay"])
                p.add_(update.to(p.dtype), alpha=-group["lr"])


# data ---------------------------------------------------------------------------------------


def token_stream(pattern, batch, seq_len):
    files = sorted(glob.glob(pattern))
    while True:
        for f in files:
            n = int(np.fromfile(f, dtype=np.int32, count=256)[2])
            toks = np.memmap(f, dtype=np.uint16, mode="r", offset=1024, shape=(n,))
            span = batch * seq_len
            for start in range(0, n - span - 1, span):
                chunk = torch.from_numpy(toks[start:start + span + 1].astype(np.int64))
                yield chunk[:-1].view(batch, seq_len), chunk[1:].view(batch, seq_len)


# call site ----------------------------------------------------------------------------------

SEQ_LEN = 4096
BATCH = 16
TOTAL_STEPS = 4000
WARMUP_STEPS = 100
COOLDOWN_FRAC = 0.3

model = TransformerWrapper(
    num_tokens=50257,
    max_seq_len=SEQ_LEN,
    post_emb_rmsnorm=True,
    tie_embedding=True,
    logits_softclamp=30.0,
    attn_layers=AttentionLayers(
        dim=768,
        depth=12,
        heads=12,
        unet_skips=True,
        embed_mix=True,
        attn_dim_head=64,
        attn_qk_norm=True,
        attn_rotary_pos_emb=True,
        attn_value_residual=True,
        attn_sliding_window=1024,
        attn_zero_init_output=True,
        ff_mult=4,
        ff_relu_squared=True,
        ff_zero_init_output=True,
    ),
)


def lr_factor(step):
    if step < WARMUP_STEPS:
        return (step + 1) / WARMUP_STEPS
    cooldown_start = int(TOTAL_STEPS * (1 - COOLDOWN_FRAC))
    if step < cooldown_start:
        return 1.0
    return max(0.0, (TOTAL_STEPS - step) / (TOTAL_STEPS - cooldown_start))


def build_optimizers(model):
    matrices = [p for p in model.attn_layers.parameters() if p.ndim == 2]
    small = [p for p in model.attn_layers.parameters() if p.ndim < 2]
    embed = [model.token_emb.weight]
    # everything below rank 2 (mix scalars, skip scales) is handled by Adam, matrices by Muon
    adam = torch.optim.Adam(
        [dict(params=embed, lr=0.01), dict(params=small, lr=0.02)],
        betas=(0.9, 0.95),
    )
    muon = Muon(matrices, lr=0.02, momentum=0.95)
    opts = [adam, muon]
    for o in opts:
        for g in o.param_groups:
            g["initial_lr"] = g["lr"]
    return opts


def main():
    torch.manual_seed(0)
    device = "cuda"
    net = model.to(device)
    opts = build_optimizers(net)
    step_fn = torch.compile(net)
    stream = token_stream(os.environ.get("TRAIN_GLOB", "data/fineweb10B/fineweb_train_*.bin"), BATCH, SEQ_LEN)
    t0 = time.time()
    for step in range(TOTAL_STEPS):
        for o in opts:
            for g in o.param_groups:
                g["lr"] = g["initial_lr"] * lr_factor(step)
        x, y = next(stream)
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = step_fn(x, y)
        loss.backward()
        for o in opts:
            o.step()
        net.zero_grad(set_to_none=True)
        if step % 50 == 0:
            print(f"step {step:5d} | loss {loss.item():.4f} | {(time.time() - t0):.1f}s")


if __name__ == "__main__":
    main()
