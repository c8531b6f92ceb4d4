"""
OLMo-style trainer for a 12-layer, 768-wide model on FineWeb.

config.yaml (inlined below) -> dataclasses -> model / optim / train.
"""
import os
os.environ.setdefault("PYTORCH_CUDA_ALLOC_CONF", "max_split_size_mb:512")
import glob
import time
from dataclasses import dataclass, field, fields
from typing import Any, Dict, List

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.nn.attention.flex_attention import BlockMask, flex_attention

# ============================================================ config.yaml
CONFIG_YAML: Dict[str, Any] = {
    "model": {"d_model": 768, "n_heads": 6, "n_layers": 12, "vocab_size": 50257,
              "embedding_size": 50304, "rope_theta": 10000.0, "logit_cap": 30.0, "eos_token_id": 50256},
    "optimizer": {"embedding_lr": 0.6, "head_lr": 0.008, "matrix_lr": 0.05, "scalar_lr": 0.04,
                  "betas": [0.8, 0.95], "momentum": 0.95, "momentum_start": 0.85, "momentum_warmup_steps": 300},
    "scheduler": {"t_warmup": 0, "t_cooldown": 600},
    "train": {"max_steps": 1480, "seq_len": 65536, "eval_interval": 125,
              "window_start": 64, "window_end": 1792, "window_quantum": 64},
}


@dataclass
class ConfigBase:
    @classmethod
    def from_dict(cls, d: Dict[str, Any]):
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


@dataclass
class ModelConfig(ConfigBase):
    d_model: int = 768
    n_heads: int = 6
    n_layers: int = 12
    vocab_size: int = 50257
    embedding_size: int = 50304
    rope_theta: float = 10000.0
    logit_cap: float = 30.0
    eos_token_id: int = 50256


@dataclass
class OptimizerConfig(ConfigBase):
    embedding_lr: float = 0.6
    head_lr: float = 0.008
    matrix_lr: float = 0.05
    scalar_lr: float = 0.04
    betas: List[float] = field(default_factory=lambda: [0.8, 0.95])
    momentum: float = 0.95
    momentum_start: float = 0.85
    momentum_warmup_steps: int = 300


@dataclass
class SchedulerConfig(ConfigBase):
    t_warmup: int = 0
    t_cooldown: int = 600


@dataclass
class TrainConfig(ConfigBase):
    max_steps: int = 1480
    seq_len: int = 65536
    eval_interval: int = 125
    window_start: int = 64
    window_end: int = 1792
    window_quantum: int = 64


# ============================================================ model
class OLMoLinear(nn.Linear):
    def __init__(self, d_in: int, d_out: int, zero: bool = False):
        super().__init__(d_in, d_out, bias=False)
        if zero:
            nn.init.zeros_(self.weight)

    def forward(self, x):
        return F.linear(x, self.weight.to(x.dtype))


def rms_norm(x):
    return F.rms_norm(x, (x.size(-1),))


class RoPECache(nn.Module):
    def __init__(self, head_dim: int, theta: float):
        super().__init__()
        self.register_buffer("inv_freq", theta ** -(torch.arange(0, head_dim, 2).float() / head_dim), persistent=False)
        self._key, self._sin, self._cos = None, None, None

    def forward(self, q, k):
        T = q.size(1)
        if self._key != T:
            pos = torch.arange(T, device=q.device, dtype=torch.float32)
            ang = pos[:, None] * self.inv_freq[None, :]
            self._key, self._sin, self._cos = T, ang.sin()[None, :, None, :], ang.cos()[None, :, None, :]

        def rot(t):
            lo, hi = t.chunk(2, dim=-1)
            return torch.cat((lo * self._cos + hi * self._sin, hi * self._cos - lo * self._sin), -1).type_as(t)
        return rot(q), rot(k)


class OLMoBlock(nn.Module):
    def __init__(self, cfg: ModelConfig, layer_id: int):
        super().__init__()
        d, self.n_heads = cfg.d_model, cfg.n_heads
        self.q_proj, self.k_proj, self.v_proj = OLMoLinear(d, d), OLMoLinear(d, d), OLMoLinear(d, d)
        self.attn_out = OLMoLinear(d, d, zero=True)
        self.ff_proj = OLMoLinear(d, 4 * d)
        self.ff_out = OLMoLinear(4 * d, d, zero=True)
        self.rope = RoPECache(d // cfg.n_heads, cfg.rope_theta)
        self.resid_mix = nn.Parameter(torch.tensor([1.0, 0.0]))
        self.v_mix = nn.Parameter(torch.tensor([0.5, 0.5]))

    def attention(self, x, v_tok, block_mask):
        B, T, _ = x.shape
        q = self.q_proj(x).view(B, T, self.n_heads, -1)
        k = self.k_proj(x).view(B, T, self.n_heads, -1)
        v = self.v_proj(x).view(B, T, self.n_heads, -1)
        v = self.v_mix[0] * v + self.v_mix[1] * v_tok.view_as(v)
        q, k = self.rope(rms_norm(q), rms_norm(k))
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=block_mask)
        return self.attn_out(y.transpose(1, 2).reshape(B, T, -1))

    def forward(self, x, emb0, v_tok, block_mask):
        x = self.resid_mix[0] * x + self.resid_mix[1] * emb0
        x = x + self.attention(rms_norm(x), v_tok, block_mask)
        h = self.ff_proj(rms_norm(x))
        return x + self.ff_out(h * F.relu(h))


class OLMo(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.n_enc = cfg.n_layers // 2
        self.n_dec = cfg.n_layers - self.n_enc
        self.wte = nn.Embedding(cfg.embedding_size, cfg.d_model)
        self.value_wte = nn.Embedding(cfg.embedding_size, cfg.d_model * self.n_enc)
        self.blocks = nn.ModuleList([OLMoBlock(cfg, i) for i in range(cfg.n_layers)])
        self.skip_scale = nn.Parameter(torch.ones(self.n_dec))
        self.ff_logits = OLMoLinear(cfg.d_model, cfg.embedding_size, zero=True)

    def block_mask(self, tokens, window):
        BS = 128
        doc = (tokens == self.cfg.eos_token_id).cumsum(0)
        first, last = doc.view(-1, BS)[:, 0].contiguous(), doc.view(-1, BS)[:, -1].contiguous()

        def mask_mod(b, h, q_idx, kv_idx):
            return (q_idx >= kv_idx) & (doc[q_idx] == doc[kv_idx]) & (q_idx - kv_idx < window)

        nb = tokens.numel() // BS
        qb = torch.arange(nb, dtype=torch.int32, device=tokens.device)[:, None]
        kb = torch.arange(nb, dtype=torch.int32, device=tokens.device)[None, :]
        dense = (qb >= kb) & (first[qb] <= last[kb]) & (first[kb] <= last[qb])
        dense &= (qb - kb) < (window + BS - 1) // BS
        dense = dense.to(torch.int32)
        counts = dense.sum(-1).to(torch.int32)[None, None].contiguous()
        order = dense.argsort(dim=-1, descending=True, stable=True).to(torch.int32)[None, None].contiguous()
        return BlockMask.from_kv_blocks(counts, order, BLOCK_SIZE=BS, mask_mod=mask_mod)

    def forward(self, tokens, targets, window):
        mask = self.block_mask(tokens, window)
        x = emb0 = rms_norm(self.wte(tokens[None]))
        vtabs = self.value_wte(tokens[None]).chunk(self.n_enc, dim=-1)
        saved = []
        for i in range(self.n_enc):
            x = self.blocks[i](x, emb0, vtabs[i], mask)
            saved.append(x)
        for j in range(self.n_dec):
            x = x + self.skip_scale[j] * saved.pop()
            x = self.blocks[self.n_enc + j](x, emb0, vtabs[self.n_enc - 1 - j], mask)
        logits = self.ff_logits(rms_norm(x))
        logits = self.cfg.logit_cap * torch.tanh(logits / self.cfg.logit_cap)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets).float()


# ============================================================ optim.py
def _polar(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16() / (G.norm() + 1e-7)
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.T if G.size(0) > G.size(1) else X


class OrthoMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum, rank, world):
        params = list(params)
        self.rank, self.world = rank, world
        groups = []
        for numel in sorted({p.numel() for p in params}):
            groups.append(dict(params=[p for p in params if p.numel() == numel],
                               gather_bufs=[torch.empty(numel, device="cuda", dtype=torch.bfloat16) for _ in range(world)]))
        super().__init__(groups, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, mu, bufs, ps = group["lr"], group["momentum"], group["gather_bufs"], group["params"]
            assert len(ps) % self.world == 0
            pending, handle = None, None

            def flush():
                if pending is None:
                    return
                handle.wait()
                for p, u in zip(pending, bufs):
                    p.add_(u.view_as(p), alpha=-lr * max(1.0, p.size(0) / p.size(1)) ** 0.5)

            for base in range(0, len(ps), self.world):
                p = ps[base + self.rank]
                st = self.state[p]
                if "m" not in st:
                    st["m"] = torch.zeros_like(p.grad)
                st["m"].lerp_(p.grad, 1 - mu)
                upd = _polar(p.grad.lerp_(st["m"], mu)).flatten()
                flush()
                handle = dist.all_gather(bufs, upd, async_op=True)
                pending = ps[base:base + self.world]
            flush()


def build_optimizer(cfg: OptimizerConfig, model: OLMo, rank: int, world: int):
    matrices = [p for p in model.blocks.parameters() if p.ndim == 2]
    scalars = [p for p in model.blocks.parameters() if p.ndim < 2] + [model.skip_scale]
    betas = tuple(cfg.betas)
    return [
        torch.optim.Adam([model.wte.weight, model.value_wte.weight], lr=cfg.embedding_lr, betas=betas, fused=True),
        torch.optim.Adam([model.ff_logits.weight], lr=cfg.head_lr, betas=betas, fused=True),
        OrthoMomentum(matrices, lr=cfg.matrix_lr, momentum=cfg.momentum, rank=rank, world=world),
        torch.optim.Adam(scalars, lr=cfg.scalar_lr, betas=betas, fused=True),
    ]


def build_scheduler(cfg: SchedulerConfig, max_steps: int, optimizers):
    def factor(step):
        if step < cfg.t_warmup:
            return (step + 1) / cfg.t_warmup
        return min(1.0, (max_steps - step) / cfg.t_cooldown)
    return [torch.optim.lr_scheduler.LambdaLR(o, factor) for o in optimizers]


# ============================================================ data
def read_shard(path):
    header = torch.from_file(path, False, 256, dtype=torch.int32)
    assert int(header[0]) == 20240520
    n = int(header[2])
    out = torch.empty(n, dtype=torch.uint16, pin_memory=True)
    with open(path, "rb", buffering=0) as f:
        f.seek(1024)
        assert f.readinto(out.numpy()) == 2 * n
    return out


def token_stream(pattern, seq_len, rank, world):
    for path in sorted(glob.glob(pattern)):
        toks, pos = read_shard(path), 0
        while pos + world * seq_len + 1 < len(toks):
            chunk = toks[pos + rank * seq_len: pos + (rank + 1) * seq_len + 1]
            yield (chunk[:-1].to("cuda", dtype=torch.int32, non_blocking=True),
                   chunk[1:].to("cuda", dtype=torch.int64, non_blocking=True))
            pos += world * seq_len


# ============================================================ train
def main():
    mcfg = ModelConfig.from_dict(CONFIG_YAML["model"])
    ocfg = OptimizerConfig.from_dict(CONFIG_YAML["optimizer"])
    scfg = SchedulerConfig.from_dict(CONFIG_YAML["scheduler"])
    tcfg = TrainConfig.from_dict(CONFIG_YAML["train"])
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    local = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local)

    model = OLMo(mcfg).cuda().bfloat16()
    for m in model.modules():
        if isinstance(m, OLMoLinear):
            m.float()
    optimizers = build_optimizer(ocfg, model, rank, world)
    schedulers = build_scheduler(scfg, tcfg.max_steps, optimizers)
    dmodel = DDP(torch.compile(model), device_ids=[local])

    train_it = token_stream(os.environ["NANOGPT_TRAIN_FILES"], tcfg.seq_len, rank, world)
    window = torch.tensor(tcfg.window_start, dtype=torch.int32, device="cuda")
    window_host = tcfg.window_start
    inputs, targets = next(train_it)
    t0 = time.perf_counter()
    for step in range(tcfg.max_steps + 1):
        q = tcfg.window_quantum
        w = q * int((q + (tcfg.window_end - q) * step / tcfg.max_steps) // q)
        if w != window_host:
            window.copy_(w, non_blocking=True)
            window_host = w
        if step == tcfg.max_steps or step % tcfg.eval_interval == 0:
            dmodel.eval()
            vloss, n = torch.zeros((), device="cuda"), 0
            with torch.no_grad():
                for vx, vy in token_stream(os.environ["NANOGPT_VAL_FILES"], tcfg.seq_len, rank, world):
                    vloss += dmodel(vx, vy, window)
                    n += 1
                    if n * tcfg.seq_len * world >= int(os.environ["NANOGPT_VAL_TOKENS"]):
                        break
            dist.all_reduce(vloss, op=dist.ReduceOp.AVG)
            if rank == 0:
                print(f"step {step} | val_loss {vloss.item() / n:.4f} | {1000 * (time.perf_counter() - t0):.0f}ms")
            dmodel.train()
        if step == tcfg.max_steps:
            break
        dmodel(inputs, targets, window).backward()
        inputs, targets = next(train_it)
        frac = min(step / ocfg.momentum_warmup_steps, 1.0)
        for g in optimizers[2].param_groups:
            g["momentum"] = (1 - frac) * ocfg.momentum_start + frac * ocfg.momentum
        for opt, sch in zip(optimizers, schedulers):
            opt.step()
            sch.step()
        dmodel.zero_grad(set_to_none=True)
        if rank == 0:
            print(f"step {step + 1}/{tcfg.max_steps} | {1000 * (time.perf_counter() - t0):.0f}ms")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
