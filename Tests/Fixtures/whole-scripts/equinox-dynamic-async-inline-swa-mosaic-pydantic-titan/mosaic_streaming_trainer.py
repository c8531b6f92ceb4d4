#!/usr/bin/env python3
# Copyright 2024 the authors.
# SPDX-License-Identifier: Apache-2.0
"""Streaming pretraining entrypoint.

Usage:
    composer-style launch:  torchrun --nproc_per_node 8 mosaic_streaming_trainer.py \
        model.n_layers=12 optimizer.hidden.lr=0.02 train_loader.dataset.local=/data/fineweb

Everything is driven by a nested config (``DEFAULT_YAML`` below) that is merged with
dotted ``key=value`` overrides from the command line.
"""
from __future__ import annotations

import ast
import copy
import glob
import json
import logging
import math
import os
import sys
import time
from typing import Any, Callable, Dict, Iterator, List, Optional

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

log = logging.getLogger("streaming_trainer")

# --------------------------------------------------------------------------------------
# configuration
# --------------------------------------------------------------------------------------

DEFAULT_YAML: Dict[str, Any] = {
    "run_name": "gpt-124m-stream",
    "seed": 17,
    "max_duration_ba": 6200,          # batches
    "eval_interval_ba": 250,
    "eval_subset_num_batches": 20,
    "global_train_batch_size": 256,   # sequences
    "device_train_microbatch_size": 32,
    "precision": "amp_bf16",
    "tokenizer": {"name": "gpt2", "eos_token_id": 50256, "n_real_tokens": 50257, "pad_multiple": 8},
    "model": {
        "name": "mpt_like_causal_lm",
        "d_model": 768,
        "n_heads": 12,
        "n_layers": 12,
        "max_seq_len": 1024,
        "expansion_ratio": 4,
        "attn_config": {"pos_enc": "rotary", "rope_theta": 10000.0, "qk_rmsnorm": True, "attn_impl": "torch"},
        "ffn_config": {"act": "relu_pow2"},
        "tie_word_embeddings": False,
        "init_config": {"std": 0.02, "zero_unembed": True},
        "logit_cap": 30.0,
    },
    "optimizer": {
        "embedding": {"name": "adam", "lr": 0.3, "betas": [0.9, 0.95], "eps": 1e-8, "weight_decay": 0.0},
        "unembedding": {"name": "adam", "lr": 0.002, "betas": [0.9, 0.95], "eps": 1e-8, "weight_decay": 0.0},
        "hidden": {"name": "orthonormal_momentum", "lr": 0.02, "momentum": 0.95, "nesterov": True, "ns_steps": 5},
    },
    "scheduler": {"t_warmup": 256, "t_cooldown": 1800, "alpha_f": 0.0},
    "callbacks": {
        "lr_monitor": {},
        "momentum_ramp": {"start": 0.85, "end": 0.95, "t_ramp": 500},
        "speed_monitor": {"window_size": 20},
    },
    "train_loader": {"dataset": {"local": "data/fineweb10B", "split": "train", "shuffle": False}},
    "eval_loader": {"dataset": {"local": "data/fineweb10B", "split": "val", "shuffle": False}},
    "save_folder": None,
}


def deep_merge(base: Dict[str, Any], override: Dict[str, Any]) -> Dict[str, Any]:
    """Recursively merge ``override`` into a copy of ``base``."""
    out = copy.deepcopy(base)
    for key, val in override.items():
        if key in out and isinstance(out[key], dict) and isinstance(val, dict):
            out[key] = deep_merge(out[key], val)
        else:
            out[key] = copy.deepcopy(val)
    return out


def dotlist_to_dict(items: List[str]) -> Dict[str, Any]:
    tree: Dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise ValueError(f"override must look like a.b.c=value, got {item!r}")
        dotted, raw = item.split("=", 1)
        try:
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            value = {"null": None, "true": True, "false": False}.get(raw.lower(), raw)
        node = tree
        parts = dotted.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return tree


class DictConfig(dict):
    """Attribute-style access over a nested dict (a tiny OmegaConf stand-in)."""

    def __getattr__(self, name: str) -> Any:
        try:
            v = self[name]
        except KeyError as e:
            raise AttributeError(name) from e
        return DictConfig(v) if isinstance(v, dict) else v


# --------------------------------------------------------------------------------------
# streaming dataset (shards of uint16 tokens with a 256-int32 header)
# --------------------------------------------------------------------------------------

SHARD_MAGIC = 20240520


class StreamingTokenDataset(torch.utils.data.IterableDataset):
    """Reads token shards in order, hands out contiguous windows per rank."""

    def __init__(self, local: str, split: str, seq_len: int, micro_bs: int,
                 rank: int = 0, world: int = 1, shuffle: bool = False):
        super().__init__()
        self.shards = sorted(glob.glob(os.path.join(local, f"*{split}*.bin")))
        if not self.shards:
            raise FileNotFoundError(f"no shards for split={split} under {local}")
        self.seq_len, self.micro_bs = seq_len, micro_bs
        self.rank, self.world = rank, world
        self.shuffle = shuffle

    @staticmethod
    def _open_shard(path: str) -> np.ndarray:
        header = np.fromfile(path, dtype=np.int32, count=256)
        if header[0] != SHARD_MAGIC:
            raise ValueError(f"bad magic in {path}")
        n_tok = int(header[2])
        return np.memmap(path, dtype=np.uint16, mode="r", offset=256 * 4, shape=(n_tok,))

    def __iter__(self) -> Iterator[Dict[str, torch.Tensor]]:
        span = self.micro_bs * self.seq_len
        order = list(range(len(self.shards)))
        if self.shuffle:
            np.random.default_rng(0).shuffle(order)
        while True:
            for si in order:
                tokens = self._open_shard(self.shards[si])
                cursor = self.rank * span
                while cursor + span + 1 <= len(tokens):
                    chunk = torch.from_numpy(tokens[cursor:cursor + span + 1].astype(np.int64))
                    yield {
                        "input_ids": chunk[:-1].view(self.micro_bs, self.seq_len),
                        "labels": chunk[1:].view(self.micro_bs, self.seq_len),
                    }
                    cursor += span * self.world


# --------------------------------------------------------------------------------------
# model
# --------------------------------------------------------------------------------------

def _rms(t: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    return t * torch.rsqrt(t.pow(2).mean(dim=-1, keepdim=True) + eps)


ACTIVATIONS: Dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "gelu": lambda t: F.gelu(t, approximate="tanh"),
    "silu": F.silu,
    "relu_pow2": lambda t: torch.relu(t).pow(2),
}


class RotaryPositionalEncoding(nn.Module):
    def __init__(self, head_dim: int, theta: float):
        super().__init__()
        exponent = torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim
        self.register_buffer("freq", theta ** (-exponent), persistent=False)
        self._cache: Optional[tuple] = None

    def forward(self, x: torch.Tensor) -> tuple:
        n = x.shape[-2]
        if self._cache is None or self._cache[0] != n or self._cache[1].device != x.device:
            pos = torch.arange(n, device=x.device, dtype=torch.float32)
            ang = torch.einsum("n,f->nf", pos, self.freq.to(x.device))
            self._cache = (n, ang.cos(), ang.sin())
        return self._cache[1].to(x.dtype), self._cache[2].to(x.dtype)


def rotate(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    a, b = x[..., :half], x[..., half:]
    return torch.cat((a * cos + b * sin, b * cos - a * sin), dim=-1)


class MultiheadCausalAttention(nn.Module):
    def __init__(self, d_model: int, n_heads: int, attn_cfg: DictConfig):
        super().__init__()
        self.n_heads = n_heads
        self.head_dim = d_model // n_heads
        self.Wqkv = nn.Linear(d_model, 3 * d_model, bias=False)
        self.out_proj = nn.Linear(d_model, d_model, bias=False)
        self.qk_rmsnorm = bool(attn_cfg.qk_rmsnorm)
        self.rope = RotaryPositionalEncoding(self.head_dim, attn_cfg.rope_theta)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        qkv = self.Wqkv(x).view(b, n, 3, self.n_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        if self.qk_rmsnorm:
            q, k = _rms(q), _rms(k)
        cos, sin = self.rope(q)
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out_proj(y.transpose(1, 2).reshape(b, n, d))


class FeedForward(nn.Module):
    def __init__(self, d_model: int, ratio: int, act: str):
        super().__init__()
        self.up_proj = nn.Linear(d_model, ratio * d_model, bias=False)
        self.down_proj = nn.Linear(ratio * d_model, d_model, bias=False)
        self.act = ACTIVATIONS[act]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down_proj(self.act(self.up_proj(x)))


class DecoderLayer(nn.Module):
    def __init__(self, cfg: DictConfig):
        super().__init__()
        self.norm_1 = nn.LayerNorm(cfg.d_model, elementwise_affine=False)
        self.attn = MultiheadCausalAttention(cfg.d_model, cfg.n_heads, cfg.attn_config)
        self.norm_2 = nn.LayerNorm(cfg.d_model, elementwise_affine=False)
        self.ffn = FeedForward(cfg.d_model, cfg.expansion_ratio, cfg.ffn_config.act)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm_1(x))
        return x + self.ffn(self.norm_2(x))


class CausalLM(nn.Module):
    def __init__(self, cfg: DictConfig, vocab_size: int):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(vocab_size, cfg.d_model)
        self.blocks = nn.ModuleList([DecoderLayer(cfg) for _ in range(cfg.n_layers)])
        self.norm_f = nn.LayerNorm(cfg.d_model, elementwise_affine=False)
        self.lm_head = None if cfg.tie_word_embeddings else nn.Linear(cfg.d_model, vocab_size, bias=False)
        self.logit_cap = cfg.get("logit_cap")

    def param_init_fn(self) -> None:
        std = self.cfg.init_config.std
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, mean=0.0, std=std)
        if self.lm_head is not None and self.cfg.init_config.zero_unembed:
            nn.init.zeros_(self.lm_head.weight)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        h = self.wte(input_ids)
        for blk in self.blocks:
            h = blk(h)
        h = self.norm_f(h)
        logits = self.lm_head(h) if self.lm_head is not None else F.linear(h, self.wte.weight)
        if self.logit_cap:
            logits = self.logit_cap * torch.tanh(logits / self.logit_cap)
        return logits


MODEL_REGISTRY: Dict[str, Callable[..., nn.Module]] = {"mpt_like_causal_lm": CausalLM}


def embedding_rows(tok_cfg: DictConfig) -> int:
    m = tok_cfg.pad_multiple
    return ((tok_cfg.n_real_tokens + m - 1) // m) * m


def build_model(cfg: DictConfig) -> nn.Module:
    model = MODEL_REGISTRY[cfg.model.name](cfg.model, embedding_rows(cfg.tokenizer))
    model.param_init_fn()
    return model


# --------------------------------------------------------------------------------------
# optimizers
# --------------------------------------------------------------------------------------

def orthogonalize(mat: torch.Tensor, iters: int = 5, eps: float = 1e-7) -> torch.Tensor:
    """Quintic Newton-Schulz approximation of U V^T for a 2-D matrix."""
    ca, cb, cc = 3.4445, -4.7750, 2.0315
    x = mat.to(torch.bfloat16)
    transposed = x.size(0) > x.size(1)
    if transposed:
        x = x.t()
    x = x / (torch.linalg.norm(x) + eps)
    for _ in range(iters):
        gram = x @ x.t()
        x = ca * x + cb * (gram @ x) + cc * (gram @ (gram @ x))
    return x.t() if transposed else x


class OrthonormalMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr: float = 0.02, momentum: float = 0.95, nesterov: bool = True, ns_steps: int = 5):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            mu = group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.mul_(mu).add_(p.grad)
                direction = p.grad.add(buf, alpha=mu) if group["nesterov"] else buf
                upd = orthogonalize(direction, group["ns_steps"])
                rows, cols = p.shape
                upd = upd * max(1.0, rows / cols) ** 0.5
                p.add_(upd.to(p.dtype), alpha=-group["lr"])
        return None


class MultiOptimizer:
    """Steps several torch optimizers as one (what the callbacks talk to)."""

    def __init__(self, named: Dict[str, torch.optim.Optimizer]):
        self.named = named

    @property
    def param_groups(self):
        return [g for opt in self.named.values() for g in opt.param_groups]

    def step(self) -> None:
        for opt in self.named.values():
            opt.step()

    def zero_grad(self, set_to_none: bool = True) -> None:
        for opt in self.named.values():
            opt.zero_grad(set_to_none=set_to_none)


def build_optimizer(model: CausalLM, opt_cfg: DictConfig) -> MultiOptimizer:
    def adam(params, c):
        return torch.optim.Adam(params, lr=c.lr, betas=tuple(c.betas), eps=c.eps, weight_decay=c.weight_decay)

    named: Dict[str, torch.optim.Optimizer] = {
        "embedding": adam([model.wte.weight], opt_cfg.embedding),
        "unembedding": adam([model.lm_head.weight], opt_cfg.unembedding),
    }
    hidden = [p for p in model.blocks.parameters() if p.ndim == 2]
    h = opt_cfg.hidden
    named["hidden"] = OrthonormalMomentum(hidden, lr=h.lr, momentum=h.momentum, nesterov=h.nesterov, ns_steps=h.ns_steps)
    leftover = {id(p) for p in model.parameters()} - {id(p) for o in named.values() for g in o.param_groups for p in g["params"]}
    assert not leftover, "every trainable tensor must belong to exactly one optimizer"
    for opt in named.values():
        for g in opt.param_groups:
            g["initial_lr"] = g["lr"]
    return MultiOptimizer(named)


# --------------------------------------------------------------------------------------
# callbacks
# --------------------------------------------------------------------------------------

class State:
    def __init__(self, max_ba: int):
        self.batch = 0
        self.max_ba = max_ba
        self.loss: float = float("nan")
        self.optimizer: Optional[MultiOptimizer] = None


class Callback:
    def on_fit_start(self, state: State) -> None: ...
    def on_step_end(self, state: State) -> None: ...


class TrapezoidScheduler(Callback):
    """Ramp up, hold, then ramp linearly down over the final ``t_cooldown`` batches."""

    def __init__(self, t_warmup: int, t_cooldown: int, alpha_f: float = 0.0):
        self.t_warmup, self.t_cooldown, self.alpha_f = t_warmup, t_cooldown, alpha_f

    def factor(self, t: int, total: int) -> float:
        if t < self.t_warmup:
            return (t + 1) / self.t_warmup
        remaining = total - t
        if remaining < self.t_cooldown:
            frac = remaining / self.t_cooldown
            return self.alpha_f + (1.0 - self.alpha_f) * frac
        return 1.0

    def _apply(self, state: State) -> None:
        f = self.factor(state.batch, state.max_ba)
        for g in state.optimizer.param_groups:
            g["lr"] = g["initial_lr"] * f

    def on_fit_start(self, state: State) -> None:
        self._apply(state)

    def on_step_end(self, state: State) -> None:
        self._apply(state)


class MomentumRamp(Callback):
    def __init__(self, start: float, end: float, t_ramp: int):
        self.start, self.end, self.t_ramp = start, end, t_ramp

    def on_step_end(self, state: State) -> None:
        w = min(state.batch / self.t_ramp, 1.0)
        for g in state.optimizer.named["hidden"].param_groups:
            g["momentum"] = (1 - w) * self.start + w * self.end


class SpeedMonitor(Callback):
    def __init__(self, window_size: int):
        self.window, self.t0 = window_size, None

    def on_step_end(self, state: State) -> None:
        if state.batch % self.window == 0:
            now = time.perf_counter()
            if self.t0 is not None:
                log.info("ba=%d loss=%.4f %.1f ms/ba", state.batch, state.loss, 1000 * (now - self.t0) / self.window)
            self.t0 = now


class LRMonitor(Callback):
    def on_step_end(self, state: State) -> None:
        if state.batch % 100 == 0:
            lrs = {k: o.param_groups[0]["lr"] for k, o in state.optimizer.named.items()}
            log.info("lrs %s", json.dumps(lrs))


def build_callbacks(cfg: DictConfig) -> List[Callback]:
    cbs: List[Callback] = [TrapezoidScheduler(**cfg.scheduler)]
    c = cfg.callbacks
    if "momentum_ramp" in c:
        cbs.append(MomentumRamp(**c["momentum_ramp"]))
    if "speed_monitor" in c:
        cbs.append(SpeedMonitor(**c["speed_monitor"]))
    if "lr_monitor" in c:
        cbs.append(LRMonitor())
    return cbs


# --------------------------------------------------------------------------------------
# trainer
# --------------------------------------------------------------------------------------

def cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.reshape(-1), ignore_index=-100)
    return loss.float()


def main(argv: List[str]) -> None:
    cfg = DictConfig(deep_merge(DEFAULT_YAML, dotlist_to_dict(argv)))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")

    distributed = "RANK" in os.environ
    if distributed:
        dist.init_process_group("nccl")
    rank = dist.get_rank() if distributed else 0
    world = dist.get_world_size() if distributed else 1
    device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
    torch.cuda.set_device(device)
    torch.manual_seed(cfg.seed)

    micro = cfg.device_train_microbatch_size
    accum = cfg.global_train_batch_size // (micro * world)
    assert accum * micro * world == cfg.global_train_batch_size

    model = build_model(cfg).to(device)
    optimizer = build_optimizer(model, cfg.optimizer)
    net = torch.compile(model)
    if distributed:
        net = DistributedDataParallel(net, device_ids=[device.index])

    ds = cfg.train_loader.dataset
    train_iter = iter(StreamingTokenDataset(ds.local, ds.split, cfg.model.max_seq_len, micro, rank, world))
    es = cfg.eval_loader.dataset
    amp = torch.autocast("cuda", dtype=torch.bfloat16, enabled=cfg.precision == "amp_bf16")

    state = State(cfg.max_duration_ba)
    state.optimizer = optimizer
    callbacks = build_callbacks(cfg)
    for cb in callbacks:
        cb.on_fit_start(state)

    while state.batch < state.max_ba:
        if state.batch % cfg.eval_interval_ba == 0:
            net.eval()
            eval_iter = iter(StreamingTokenDataset(es.local, es.split, cfg.model.max_seq_len, micro, rank, world))
            total = torch.zeros((), device=device)
            with torch.no_grad(), amp:
                for _ in range(cfg.eval_subset_num_batches):
                    b = next(eval_iter)
                    total += cross_entropy(net(b["input_ids"].to(device)), b["labels"].to(device))
            if distributed:
                dist.all_reduce(total, op=dist.ReduceOp.AVG)
            if rank == 0:
                log.info("eval ba=%d val_loss=%.4f", state.batch, total.item() / cfg.eval_subset_num_batches)
            net.train()

        running = 0.0
        for micro_step in range(accum):
            b = next(train_iter)
            x, y = b["input_ids"].to(device), b["labels"].to(device)
            sync_ctx = net.no_sync() if (distributed and micro_step < accum - 1) else _null()
            with sync_ctx, amp:
                loss = cross_entropy(net(x), y) / accum
            with sync_ctx:
                loss.backward()
            running += loss.item()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

        state.batch += 1
        state.loss = running
        for cb in callbacks:
            cb.on_step_end(state)

    if cfg.save_folder and rank == 0:
        os.makedirs(cfg.save_folder, exist_ok=True)
        torch.save(model.state_dict(), os.path.join(cfg.save_folder, f"{cfg.run_name}-final.pt"))
    if distributed:
        dist.destroy_process_group()


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    main(sys.argv[1:])
