"""Long-context packed-document GPT training with FlexAttention.

Configuration is a tree of pydantic models; the root is a BaseSettings so every leaf can be
overridden through environment variables, e.g. ``GPT__OPTIM__MUON_LR=0.03``.
"""
from __future__ import annotations

import glob
import os
import time
import uuid
from typing import Literal

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from torch.nn.attention.flex_attention import create_block_mask, flex_attention
from torch.nn.parallel import DistributedDataParallel as DDP

flex_attention = torch.compile(flex_attention, dynamic=False)
create_block_mask = torch.compile(create_block_mask, dynamic=False)


# ----------------------------------------------------------------------------------------------
# configuration


class ModelCfg(BaseModel):
    vocab_size: int = Field(default=50304, description="50257 rounded up to a multiple of 128")
    n_layer: int = Field(default=12)
    n_head: int = Field(default=6)
    d_model: int = Field(default=768)
    logit_cap: float = Field(default=30.0, gt=0)
    rope_base: float = Field(default=10000.0)
    eot_token: int = Field(default=50256)

    @field_validator("vocab_size")
    @classmethod
    def _multiple_of_128(cls, v: int) -> int:
        if v % 128:
            raise ValueError("vocab_size must be a multiple of 128 for aligned matmuls")
        return v

    @property
    def head_dim(self) -> int:
        return self.d_model // self.n_head


class AttnWindowCfg(BaseModel):
    start: int = Field(default=64)
    end: int = Field(default=1792)
    quantum: int = Field(default=64)

    @model_validator(mode="after")
    def _check(self) -> "AttnWindowCfg":
        assert self.start % self.quantum == 0 and self.end % self.quantum == 0
        return self


class OptimCfg(BaseModel):
    embed_lr: float = Field(default=0.6)
    head_lr: float = Field(default=0.008)
    scalar_lr: float = Field(default=0.04)
    muon_lr: float = Field(default=0.05)
    adam_betas: tuple[float, float] = Field(default=(0.8, 0.95))
    adam_eps: float = Field(default=1e-9)
    weight_decay: float = Field(default=0.0, ge=0.0)
    muon_momentum_start: float = Field(default=0.85)
    muon_momentum_end: float = Field(default=0.95)
    muon_momentum_warmup_steps: int = Field(default=300)
    ns_steps: int = Field(default=5)


class ScheduleCfg(BaseModel):
    num_steps: int = Field(default=1750)
    warmup_steps: int = Field(default=0)
    cooldown_steps: int = Field(default=640)
    shape: Literal["trapezoid", "cosine"] = "trapezoid"


class DataCfg(BaseModel):
    train_glob: str = "data/fineweb10B/fineweb_train_*.bin"
    val_glob: str = "data/fineweb10B/fineweb_val_*.bin"
    seq_len: int = Field(default=64 * 1024, description="one packed sequence per GPU")
    val_seq_len: int = Field(default=2 * 64 * 1024)
    val_tokens: int = Field(default=10485760)
    tokens_per_step: int = Field(default=8 * 64 * 1024, description="summed over ranks")

    @model_validator(mode="after")
    def _val_is_multiple(self) -> "DataCfg":
        if self.val_seq_len % self.seq_len:
            raise ValueError("val_seq_len must be a multiple of seq_len")
        return self


class TrainSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GPT__", env_nested_delimiter="__")

    model: ModelCfg = ModelCfg()
    window: AttnWindowCfg = AttnWindowCfg()
    optim: OptimCfg = OptimCfg()
    schedule: ScheduleCfg = ScheduleCfg()
    data: DataCfg = DataCfg()
    val_every: int = 125
    compile: bool = True


# ----------------------------------------------------------------------------------------------
# optimizer


@torch.compile
def ns5(G: torch.Tensor, steps: int = 5, eps: float = 1e-7) -> torch.Tensor:
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    X /= X.norm() + eps
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = b * A + c * A @ A
        X = a * X + B @ X
    if G.size(0) > G.size(1):
        X = X.T
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr: float, momentum: float = 0.95, ns_steps: int = 5):
        self.rank = dist.get_rank()
        self.world = dist.get_world_size()
        super().__init__(params, dict(lr=lr, momentum=momentum, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            ps = group["params"]
            total = sum(p.numel() for p in ps)
            flat = torch.zeros(total, device="cuda", dtype=torch.bfloat16)
            cur = 0
            for i, p in enumerate(ps):
                if i % self.world == self.rank:
                    st = self.state[p]
                    if "buf" not in st:
                        st["buf"] = torch.zeros_like(p.grad)
                    buf = st["buf"].mul_(group["momentum"]).add_(p.grad)
                    g = p.grad.add(buf, alpha=group["momentum"])
                    g = ns5(g, steps=group["ns_steps"])
                    g *= max(1, g.size(0) / g.size(1)) ** 0.5
                    flat[cur:cur + p.numel()] = g.flatten()
                cur += p.numel()
            dist.all_reduce(flat, op=dist.ReduceOp.SUM)
            cur = 0
            for p in ps:
                p.add_(flat[cur:cur + p.numel()].view_as(p).type_as(p), alpha=-group["lr"])
                cur += p.numel()


# ----------------------------------------------------------------------------------------------
# model


class CastedLinear(nn.Linear):
    def __init__(self, i: int, o: int):
        super().__init__(i, o, bias=False)

    def forward(self, x):
        return F.linear(x, self.weight.to(x.dtype))


class Rotary(nn.Module):
    def __init__(self, dim: int, base: float):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim)), persistent=False)
        self.cached = None

    def forward(self, x):
        T = x.shape[1]
        if self.cached is None or self.cached[0] != T:
            f = torch.outer(torch.arange(T, device=x.device).type_as(self.inv_freq), self.inv_freq)
            self.cached = (T, f.cos().bfloat16()[None, :, None, :], f.sin().bfloat16()[None, :, None, :])
        return self.cached[1], self.cached[2]


def apply_rotary(x, cos, sin):
    x1, x2 = x.chunk(2, dim=3)
    return torch.cat((x1 * cos + x2 * sin, x1 * (-sin) + x2 * cos), 3).type_as(x)


def norm(x):
    return F.rms_norm(x, (x.size(-1),))


class Attention(nn.Module):
    def __init__(self, cfg: ModelCfg):
        super().__init__()
        self.nh, self.hd = cfg.n_head, cfg.head_dim
        d = cfg.d_model
        self.c_q, self.c_k, self.c_v = CastedLinear(d, d), CastedLinear(d, d), CastedLinear(d, d)
        self.c_proj = CastedLinear(d, d)
        self.c_proj.weight.data.zero_()
        self.rotary = Rotary(self.hd, cfg.rope_base)
        self.lamb = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, vi, block_mask):
        B, T = x.size(0), x.size(1)
        q = self.c_q(x).view(B, T, self.nh, self.hd)
        k = self.c_k(x).view(B, T, self.nh, self.hd)
        v = self.c_v(x).view(B, T, self.nh, self.hd)
        v = (1 - self.lamb) * v + self.lamb * vi.view_as(v)
        q, k = norm(q), norm(k)
        cos, sin = self.rotary(q)
        q, k = apply_rotary(q, cos, sin), apply_rotary(k, cos, sin)
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=block_mask)
        return self.c_proj(y.transpose(1, 2).contiguous().view_as(x))


class MLP(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.c_fc, self.c_proj = CastedLinear(d, 4 * d), CastedLinear(4 * d, d)
        self.c_proj.weight.data.zero_()

    def forward(self, x):
        return self.c_proj(F.relu(self.c_fc(x)).square())


class Block(nn.Module):
    def __init__(self, cfg: ModelCfg):
        super().__init__()
        self.attn, self.mlp = Attention(cfg), MLP(cfg.d_model)
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, vi, x0, block_mask):
        x = self.lambdas[0] * x + self.lambdas[1] * x0
        x = x + self.attn(norm(x), vi, block_mask)
        return x + self.mlp(norm(x))


class GPT(nn.Module):
    def __init__(self, cfg: ModelCfg):
        super().__init__()
        self.cfg = cfg
        self.n_enc = cfg.n_layer // 2
        self.n_dec = cfg.n_layer - self.n_enc
        self.skip_weights = nn.Parameter(torch.ones(self.n_dec))
        self.wte = nn.Embedding(cfg.vocab_size, cfg.d_model)
        # one value table per layer, stored side by side
        self.vte = nn.Embedding(cfg.vocab_size, cfg.d_model * cfg.n_layer)
        self.h = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layer)])
        self.lm_head = CastedLinear(cfg.d_model, cfg.vocab_size)
        self.lm_head.weight.data.zero_()

    def forward(self, idx, target, window):
        docs = (idx == self.cfg.eot_token).cumsum(0)

        def doc_causal_window(b, h, q_idx, kv_idx):
            causal = q_idx >= kv_idx
            same_doc = docs[q_idx] == docs[kv_idx]
            local = q_idx - kv_idx < window
            return causal & same_doc & local

        S = len(idx)
        block_mask = create_block_mask(doc_causal_window, None, None, S, S, device="cuda", _compile=True)

        x = norm(self.wte(idx[None]))
        x0 = x
        vi = self.vte(idx[None]).chunk(self.cfg.n_layer, dim=-1)
        skips = []
        for i in range(self.n_enc):
            x = self.h[i](x, vi[i], x0, block_mask)
            skips.append(x)
        for i in range(self.n_dec):
            x = x + self.skip_weights[i] * skips.pop()
            x = self.h[self.n_enc + i](x, vi[self.n_enc + i], x0, block_mask)
        logits = self.lm_head(norm(x))
        cap = self.cfg.logit_cap
        logits = (cap * torch.tanh(logits / cap)).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), target.view(-1))


# ----------------------------------------------------------------------------------------------
# data


def read_shard(path):
    with open(path, "rb") as f:
        header = np.frombuffer(f.read(1024), dtype=np.int32)
        assert header[0] == 20240520
        return np.frombuffer(f.read(), dtype=np.uint16)


class PackedStream:
    def __init__(self, pattern: str, seq_len: int, rank: int, world: int):
        self.files, self.T, self.rank, self.world = sorted(glob.glob(pattern)), seq_len, rank, world
        self.reset()

    def reset(self):
        self.fi, self.toks, self.pos = 0, read_shard(self.files[0]), self.rank * self.T

    def next(self):
        buf = torch.tensor(self.toks[self.pos:self.pos + self.T + 1].astype(np.int32), dtype=torch.long)
        self.pos += self.T * self.world
        if self.pos + self.T * self.world + 1 > len(self.toks):
            self.fi = (self.fi + 1) % len(self.files)
            self.toks, self.pos = read_shard(self.files[self.fi]), self.rank * self.T
        return buf[:-1].cuda(), buf[1:].cuda()


# ----------------------------------------------------------------------------------------------
# main


def main(s: TrainSettings):
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    master = rank == 0

    raw = GPT(s.model).cuda().bfloat16()
    for m in raw.modules():
        if isinstance(m, CastedLinear):
            m.float()
    model = DDP(torch.compile(raw) if s.compile else raw, device_ids=[int(os.environ["LOCAL_RANK"])])

    o = s.optim
    adam_kw = dict(betas=o.adam_betas, eps=o.adam_eps, weight_decay=o.weight_decay, fused=True)
    opt_embed = torch.optim.Adam([raw.wte.weight, raw.vte.weight], lr=o.embed_lr, **adam_kw)
    opt_head = torch.optim.Adam([raw.lm_head.weight], lr=o.head_lr, **adam_kw)
    hp = list(raw.h.parameters())
    opt_muon = Muon([p for p in hp if p.ndim == 2], lr=o.muon_lr, ns_steps=o.ns_steps)
    opt_scalar = torch.optim.Adam([p for p in hp if p.ndim < 2] + [raw.skip_weights], lr=o.scalar_lr, **adam_kw)
    optimizers = [opt_embed, opt_head, opt_muon, opt_scalar]

    sc = s.schedule

    def lr_mult(it: int) -> float:
        if it < sc.warmup_steps:
            return (it + 1) / sc.warmup_steps
        if it < sc.num_steps - sc.cooldown_steps:
            return 1.0
        return (sc.num_steps - it) / sc.cooldown_steps

    schedulers = [torch.optim.lr_scheduler.LambdaLR(opt, lr_mult) for opt in optimizers]

    assert s.data.seq_len * world == s.data.tokens_per_step, "one packed sequence per rank per step"
    train_stream = PackedStream(s.data.train_glob, s.data.seq_len, rank, world)
    val_stream = PackedStream(s.data.val_glob, s.data.val_seq_len, rank, world)
    val_steps = s.data.val_tokens // (s.data.val_seq_len * world)

    w = s.window
    window = torch.tensor(w.start, dtype=torch.int32, device="cuda")
    cur_window = w.start
    x, y = train_stream.next()
    t0 = time.time()
    for step in range(sc.num_steps + 1):
        last = step == sc.num_steps
        new_window = int(w.quantum * ((step / sc.num_steps * (w.end - w.start) + w.start) // w.quantum))
        if new_window != cur_window:
            window.copy_(torch.tensor(new_window, dtype=torch.int32), non_blocking=True)
            cur_window = new_window

        if last or step % s.val_every == 0:
            model.eval()
            val_stream.reset()
            vl = torch.zeros((), device="cuda")
            with torch.no_grad():
                for _ in range(val_steps):
                    vx, vy = val_stream.next()
                    vl += model(vx, vy, window=window)
            dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            if master:
                print(f"step:{step}/{sc.num_steps} val_loss:{vl.item() / val_steps:.4f} time:{time.time() - t0:.0f}s")
            model.train()
        if last:
            break

        loss = model(x, y, window=window)
        x, y = train_stream.next()
        loss.backward()
        frac = min(step / o.muon_momentum_warmup_steps, 1)
        for g in opt_muon.param_groups:
            g["momentum"] = (1 - frac) * o.muon_momentum_start + frac * o.muon_momentum_end
        for opt, sch in zip(optimizers, schedulers):
            opt.step()
            sch.step()
        model.zero_grad(set_to_none=True)
        if master:
            print(f"step:{step + 1}/{sc.num_steps} train_loss:{loss.item():.4f} window:{cur_window}")

    dist.destroy_process_group()


if __name__ == "__main__":
    main(TrainSettings())
