"""
Config-driven LM pretraining in the style of the big open-model training stacks: one nested
config literal, factory functions (`build_model`, `build_optimizer`, `build_scheduler`) and small
scheduler classes. Launch with torchrun.
"""

from __future__ import annotations

import copy
import glob
import json
import math
import os
import time
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP

CONFIG: Dict[str, Any] = {
    "run_name": "ve-sparse-12L",
    "seed": 6198,
    "model": {
        "d_model": 768,
        "n_layers": 12,
        "n_heads": 12,
        "mlp_hidden_size": 2048,           # SwiGLU hidden
        "vocab_size": 50257,
        "rope_theta": 10_000,
        "attn_softmax_scale": 0.125,
        "attention_free_layers": [7],      # this block is MLP-only
        "value_embeddings": {
            "num_tables": 3,
            "layout": "first_and_last",    # tables 0,1,2 feed layers 0,1,2 and again the last three
        },
        "output_logit_cap": 15.0,
        "init_std": 0.02,
        "embedding_dtype": "bfloat16",     # the only modules stored in reduced precision
    },
    "optimizer": {
        "matrix": {"name": "muon", "lr": 0.05, "momentum": 0.95, "nesterov": True, "ns_steps": 5},
        "adam": {
            "betas": [0.8, 0.95],
            "eps": 1e-8,
            "weight_decay": 0.0,
            "lr": {"embeddings": 0.4, "lm_head": 0.005, "scalars": 0.03},
        },
    },
    "scheduler": {"name": "linear_with_floor", "warmup_steps": 100, "cooldown_fraction": 0.4, "final_ratio": 0.1},
    "ddp": {"broadcast_buffers": False, "gradient_as_bucket_view": False, "find_unused_parameters": False},
    "data": {
        "train": "data/fineweb10B/fineweb_train_*.bin",
        "valid": "data/fineweb10B/fineweb_val_*.bin",
        "sequence_length": 1024,
        "device_train_microbatch_size": 32,
    },
    "trainer": {"max_duration": 3200, "eval_interval": 200, "eval_batches": 16, "log_interval": 20},
}


# ===========================================================================================
# model
# ===========================================================================================


def _norm(x: torch.Tensor) -> torch.Tensor:
    return F.rms_norm(x, (x.size(-1),))


class ReducedPrecisionLinear(nn.Linear):
    """fp32 storage; matmul performed in the dtype of the incoming activations."""

    def __init__(self, d_in, d_out):
        super().__init__(d_in, d_out, bias=False)

    def forward(self, x):
        return F.linear(x, self.weight.type_as(x))


class RotaryCache(nn.Module):
    def __init__(self, head_dim: int, theta: float, max_len: int = 8192):
        super().__init__()
        inv = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
        ang = torch.outer(torch.arange(max_len, dtype=torch.float32), inv)
        self.register_buffer("cos", ang.cos(), persistent=False)
        self.register_buffer("sin", ang.sin(), persistent=False)

    def forward(self, x):  # x: (B, T, H, D)
        T = x.size(1)
        c, s = self.cos[None, :T, None, :].to(x.dtype), self.sin[None, :T, None, :].to(x.dtype)
        left, right = x.chunk(2, dim=-1)
        return torch.cat((left * c + right * s, right * c - left * s), dim=-1)


class SelfAttention(nn.Module):
    def __init__(self, cfg: Dict[str, Any]):
        super().__init__()
        d, h = cfg["d_model"], cfg["n_heads"]
        self.n_heads, self.head_dim = h, d // h
        self.att_proj = ReducedPrecisionLinear(d, 3 * d)
        self.attn_out = ReducedPrecisionLinear(d, d)
        self.rope = RotaryCache(self.head_dim, cfg["rope_theta"])
        self.softmax_scale = cfg["attn_softmax_scale"]
        self.v_mix = nn.Parameter(torch.tensor([0.5, 0.5]))  # weight on own values, weight on embedded values

    def forward(self, x, ve: Optional[torch.Tensor]):
        B, T, D = x.shape
        q, k, v = self.att_proj(x).view(B, T, 3, self.n_heads, self.head_dim).unbind(2)
        if ve is not None:
            v = self.v_mix[0] * v + self.v_mix[1] * ve.view_as(v)
        else:
            v = self.v_mix[0] * v
        q, k = self.rope(q), self.rope(k)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2),
                                           is_causal=True, scale=self.softmax_scale)
        return self.attn_out(y.transpose(1, 2).reshape(B, T, D))


class SwiGLU(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ff_proj = ReducedPrecisionLinear(cfg["d_model"], 2 * cfg["mlp_hidden_size"])
        self.ff_out = ReducedPrecisionLinear(cfg["mlp_hidden_size"], cfg["d_model"])

    def forward(self, x):
        a, gate = self.ff_proj(x).chunk(2, dim=-1)
        return self.ff_out(F.silu(gate) * a)


class TransformerBlock(nn.Module):
    def __init__(self, cfg, layer_id: int):
        super().__init__()
        self.layer_id = layer_id
        self.attn = None if layer_id in cfg["attention_free_layers"] else SelfAttention(cfg)
        self.ff = SwiGLU(cfg)

    def forward(self, x, ve):
        if self.attn is not None:
            x = x + self.attn(_norm(x), ve)
        return x + self.ff(_norm(x))


class ValueEmbeddingBank(nn.Module):
    """A few independent embedding tables whose outputs are added to the attention values."""

    def __init__(self, vocab, d_model, num_tables, n_layers):
        super().__init__()
        self.tables = nn.ModuleList(nn.Embedding(vocab, d_model) for _ in range(num_tables))
        self.n_layers = n_layers

    def forward(self, ids) -> List[Optional[torch.Tensor]]:
        looked_up = [t(ids) for t in self.tables]
        k = len(looked_up)
        middle = [None] * (self.n_layers - 2 * k)
        return looked_up + middle + looked_up  # "012 ... 012"


class LM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg["vocab_size"], cfg["d_model"])
        self.value_bank = ValueEmbeddingBank(cfg["vocab_size"], cfg["d_model"],
                                             cfg["value_embeddings"]["num_tables"], cfg["n_layers"])
        self.blocks = nn.ModuleList(TransformerBlock(cfg, i) for i in range(cfg["n_layers"]))
        self.ff_out = ReducedPrecisionLinear(cfg["d_model"], cfg["vocab_size"])  # not shared with wte

    def forward(self, ids, labels=None):
        x = self.wte(ids)
        ves = self.value_bank(ids)
        for blk, ve in zip(self.blocks, ves):
            x = blk(x, ve)
        logits = self.ff_out(_norm(x))
        cap = self.cfg["output_logit_cap"]
        logits = cap * torch.tanh(logits / cap)
        if labels is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1))


def build_model(cfg: Dict[str, Any]) -> LM:
    mcfg = cfg["model"]
    model = LM(mcfg)
    for name, p in model.named_parameters():
        if p.ndim == 2:
            nn.init.normal_(p, std=mcfg["init_std"])
    emb_dtype = getattr(torch, mcfg["embedding_dtype"])
    for m in model.modules():
        if isinstance(m, nn.Embedding):
            m.to(emb_dtype)           # everything else (linears, mix scalars) stays float32
    return model


# ===========================================================================================
# optimizer
# ===========================================================================================


def _newton_schulz(G, steps):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    if G.size(0) > G.size(1):
        X = X.T
    X = X / (X.norm() + 1e-7)
    for _ in range(steps):
        S = X @ X.T
        X = a * X + b * S @ X + c * S @ S @ X
    if G.size(0) > G.size(1):
        X = X.T
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum, nesterov=True, ns_steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                g = p.grad.add(buf, alpha=group["momentum"]) if group["nesterov"] else buf
                g = _newton_schulz(g, group["ns_steps"])
                g = g * max(1.0, p.size(0) / p.size(1)) ** 0.5
                p.add_(g.type_as(p), alpha=-group["lr"])


def build_optimizer(cfg: Dict[str, Any], model: LM) -> List[torch.optim.Optimizer]:
    ocfg = cfg["optimizer"]
    embeds = [p for m in model.modules() if isinstance(m, nn.Embedding) for p in m.parameters()]
    head = [model.ff_out.weight]
    block_params = [p for p in model.blocks.parameters()]
    matrices = [p for p in block_params if p.ndim >= 2]
    scalars = [p for p in block_params if p.ndim < 2]
    a = ocfg["adam"]
    adam = torch.optim.Adam(
        [
            {"params": embeds, "lr": a["lr"]["embeddings"]},
            {"params": head, "lr": a["lr"]["lm_head"]},
            {"params": scalars, "lr": a["lr"]["scalars"]},
        ],
        betas=tuple(a["betas"]), eps=a["eps"], weight_decay=a["weight_decay"],
    )
    mc = ocfg["matrix"]
    muon = Muon(matrices, lr=mc["lr"], momentum=mc["momentum"], nesterov=mc["nesterov"], ns_steps=mc["ns_steps"])
    return [adam, muon]


# ===========================================================================================
# schedulers
# ===========================================================================================


class Scheduler(ABC):
    def __init__(self, max_steps: int):
        self.max_steps = max_steps

    @abstractmethod
    def factor(self, step: int) -> float:
        ...

    def apply(self, optimizers, step):
        f = self.factor(step)
        for opt in optimizers:
            for g in opt.param_groups:
                g.setdefault("base_lr", g["lr"])
                g["lr"] = g["base_lr"] * f
        return f


class ConstantWithWarmup(Scheduler):
    def __init__(self, max_steps, warmup_steps):
        super().__init__(max_steps)
        self.warmup_steps = warmup_steps

    def factor(self, step):
        return min(1.0, (step + 1) / max(1, self.warmup_steps))


class CosWithWarmup(ConstantWithWarmup):
    def __init__(self, max_steps, warmup_steps, alpha_f=0.1):
        super().__init__(max_steps, warmup_steps)
        self.alpha_f = alpha_f

    def factor(self, step):
        if step < self.warmup_steps:
            return super().factor(step)
        t = (step - self.warmup_steps) / max(1, self.max_steps - self.warmup_steps)
        return self.alpha_f + (1 - self.alpha_f) * 0.5 * (1 + math.cos(math.pi * t))


class LinearWithFloor(ConstantWithWarmup):
    """Warmup, hold, then a straight line from 1.0 down to `final_ratio` over the cooldown."""

    def __init__(self, max_steps, warmup_steps, cooldown_fraction, final_ratio):
        super().__init__(max_steps, warmup_steps)
        self.cooldown_fraction, self.final_ratio = cooldown_fraction, final_ratio

    def factor(self, step):
        if step < self.warmup_steps:
            return super().factor(step)
        t = 1.0 - step / self.max_steps
        w = min(t / self.cooldown_fraction, 1.0)
        return w * 1.0 + (1.0 - w) * self.final_ratio


def build_scheduler(cfg) -> Scheduler:
    s, steps = cfg["scheduler"], cfg["trainer"]["max_duration"]
    if s["name"] == "constant_with_warmup":
        return ConstantWithWarmup(steps, s["warmup_steps"])
    if s["name"] == "cosine_with_warmup":
        return CosWithWarmup(steps, s["warmup_steps"])
    if s["name"] == "linear_with_floor":
        return LinearWithFloor(steps, s["warmup_steps"], s["cooldown_fraction"], s["final_ratio"])
    raise ValueError(s["name"])


# ===========================================================================================
# data + trainer
# ===========================================================================================


class MemMapDataset:
    def __init__(self, pattern, seq_len, batch, rank, world):
        self.paths = sorted(glob.glob(pattern))
        self.seq_len, self.batch, self.rank, self.world = seq_len, batch, rank, world

    def __iter__(self):
        span = self.seq_len * self.batch
        while True:
            for path in self.paths:
                n = int(np.fromfile(path, dtype=np.int32, count=256)[2])
                data = np.memmap(path, dtype=np.uint16, mode="r", offset=1024, shape=(n,))
                for s in range(self.rank * span, n - span - 1, self.world * span):
                    t = torch.from_numpy(data[s:s + span + 1].astype(np.int64))
                    yield t[:-1].view(self.batch, self.seq_len), t[1:].view(self.batch, self.seq_len)


class Trainer:
    def __init__(self, cfg):
        self.cfg = copy.deepcopy(cfg)
        dist.init_process_group("nccl")
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
        torch.manual_seed(cfg["seed"])
        self.raw_model = build_model(cfg).cuda()
        dcfg = cfg["ddp"]
        self.model = DDP(
            self.raw_model,
            device_ids=[torch.cuda.current_device()],
            broadcast_buffers=dcfg["broadcast_buffers"],
            gradient_as_bucket_view=dcfg["gradient_as_bucket_view"],
            find_unused_parameters=dcfg["find_unused_parameters"],
        )
        self.optimizers = build_optimizer(cfg, self.raw_model)
        self.scheduler = build_scheduler(cfg)
        d = cfg["data"]
        self.train_iter = iter(MemMapDataset(d["train"], d["sequence_length"], d["device_train_microbatch_size"],
                                             self.rank, self.world))
        self.valid_iter = iter(MemMapDataset(d["valid"], d["sequence_length"], d["device_train_microbatch_size"],
                                             self.rank, self.world))
        if self.rank == 0:
            print(json.dumps(cfg, indent=1))

    def eval(self):
        self.model.eval()
        losses = []
        with torch.no_grad():
            for _ in range(self.cfg["trainer"]["eval_batches"]):
                x, y = (t.cuda(non_blocking=True) for t in next(self.valid_iter))
                losses.append(self.model(x, y))
        v = torch.stack(losses).mean()
        dist.all_reduce(v, op=dist.ReduceOp.AVG)
        self.model.train()
        return v.item()

    def fit(self):
        tcfg = self.cfg["trainer"]
        t0 = time.time()
        compiled = torch.compile(self.model)
        for step in range(tcfg["max_duration"] + 1):
            if step % tcfg["eval_interval"] == 0 or step == tcfg["max_duration"]:
                v = self.eval()
                if self.rank == 0:
                    print(f"[eval] step={step} val/CrossEntropyLoss={v:.4f}")
            if step == tcfg["max_duration"]:
                break
            x, y = (t.cuda(non_blocking=True) for t in next(self.train_iter))
            loss = compiled(x, y)
            loss.backward()
            lr_factor = self.scheduler.apply(self.optimizers, step)
            for opt in self.optimizers:
                opt.step()
            self.model.zero_grad(set_to_none=True)
            if step % tcfg["log_interval"] == 0 and self.rank == 0:
                print(f"[train] step={step} loss={loss.item():.4f} lr_factor={lr_factor:.3f} "
                      f"elapsed={time.time() - t0:.1f}s")
        dist.destroy_process_group()


if __name__ == "__main__":
    Trainer(CONFIG).fit()
