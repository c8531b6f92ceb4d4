# Copyright (c) 2025.
# Licensed under the BSD-style license.
"""
Full-parameter GPT pretraining recipe (distributed), written in the style of a
torchtune recipe: component builders, a recipe class with ``setup`` / ``train``,
and a YAML config whose ``_component_`` entries are materialized by a small
``instantiate`` helper.

Run with:
    torchrun --nproc_per_node 8 tt_pretrain_recipe.py [key=value ...]
"""

import importlib
import logging
import math
import os
import sys
import time
from functools import partial
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
import yaml
from torch import nn, Tensor
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.optim.lr_scheduler import LambdaLR

log = logging.getLogger("recipe")
logging.basicConfig(level=logging.INFO, format="%(asctime)s | %(levelname)s | %(message)s")

RECIPE_CONFIG = """
# Config for FullPretrainRecipeDistributed
# GPT-2 small sized decoder, fineweb 10B shards
output_dir: ./runs/gpt_small

model:
  _component_: __main__.gpt_builder
  vocab_size: 50257
  num_layers: 12
  num_heads: 12
  embed_dim: 768
  max_seq_len: 1024
  rope_base: 10000
  logit_softcap: 50.0

dataset:
  _component_: __main__.PretokenizedShards
  pattern: ./data/fineweb10B/fineweb_train_*.bin
  seq_len: 1024

val_dataset:
  _component_: __main__.PretokenizedShards
  pattern: ./data/fineweb10B/fineweb_val_*.bin
  seq_len: 1024

batch_size: 32
val_tokens: 10485760
val_every_n_steps: 250

optimizer:
  embed:
    _component_: torch.optim.Adam
    lr: 0.3
    betas: [0.9, 0.95]
    weight_decay: 0.0
  head:
    _component_: torch.optim.Adam
    lr: 0.002
    betas: [0.9, 0.95]
    weight_decay: 0.0
  hidden:
    _component_: __main__.OrthogonalizedSGD
    lr: 0.02
    momentum: 0.95
    nesterov: true
    ns_iters: 5

momentum_warmup:
  start: 0.85
  end: 0.95
  steps: 500

lr_scheduler:
  _component_: __main__.get_trapezoid_schedule
  num_warmup_steps: 256
  num_cooldown_steps: 2000

max_steps: 3200
sdpa_backend: cudnn
compile: true
seed: 1337
"""


# ----------------------------------------------------------------------------
# config utilities

def _get_component(path: str) -> Callable:
    module_name, _, attr = path.rpartition(".")
    if module_name in ("__main__", ""):
        return globals()[attr]
    module = importlib.import_module(module_name)
    return getattr(module, attr)


def instantiate(node: Dict[str, Any], *args, **overrides) -> Any:
    """Build the object described by a ``_component_`` config node."""
    if not isinstance(node, dict) or "_component_" not in node:
        raise ValueError(f"Cannot instantiate config node without _component_: {node}")
    kwargs = {k: v for k, v in node.items() if k != "_component_"}
    for k, v in list(kwargs.items()):
        if isinstance(v, list) and k == "betas":
            kwargs[k] = tuple(v)
    kwargs.update(overrides)
    return _get_component(node["_component_"])(*args, **kwargs)


def _apply_cli_overrides(cfg: Dict[str, Any], argv: List[str]) -> Dict[str, Any]:
    for item in argv:
        key, _, raw = item.partition("=")
        node = cfg
        parts = key.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = yaml.safe_load(raw)
    return cfg


# ----------------------------------------------------------------------------
# model components

class RotaryPositionalEmbeddings(nn.Module):
    """Half-split rotary embedding applied to [b, s, n_h, h_d] tensors."""

    def __init__(self, dim: int, max_seq_len: int = 4096, base: int = 10_000) -> None:
        super().__init__()
        self.dim = dim
        self.base = base
        self.max_seq_len = max_seq_len
        self._build_cache()

    def _build_cache(self) -> None:
        theta = 1.0 / (self.base ** (torch.arange(0, self.dim, 2).float() / self.dim))
        seq_idx = torch.arange(self.max_seq_len, dtype=theta.dtype)
        idx_theta = torch.outer(seq_idx, theta)
        self.register_buffer("cos_cache", idx_theta.cos(), persistent=False)
        self.register_buffer("sin_cache", idx_theta.sin(), persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        seq_len = x.size(1)
        cos = self.cos_cache[:seq_len][None, :, None, :].to(x.dtype)
        sin = self.sin_cache[:seq_len][None, :, None, :].to(x.dtype)
        half = x.size(-1) // 2
        x1, x2 = x[..., :half], x[..., half:]
        out1 = x1 * cos + x2 * sin
        out2 = x2 * cos - x1 * sin
        return torch.cat([out1, out2], dim=-1)


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim: int, num_heads: int, pos_embeddings: nn.Module) -> None:
        super().__init__()
        assert embed_dim % num_heads == 0
        self.num_heads = num_heads
        self.head_dim = embed_dim // num_heads
        self.q_proj = nn.Linear(embed_dim, embed_dim, bias=False)
        self.k_proj = nn.Linear(embed_dim, embed_dim, bias=False)
        self.v_proj = nn.Linear(embed_dim, embed_dim, bias=False)
        self.output_proj = nn.Linear(embed_dim, embed_dim, bias=False)
        self.pos_embeddings = pos_embeddings

    def forward(self, x: Tensor) -> Tensor:
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.num_heads, self.head_dim)
        k = self.k_proj(x).view(b, s, self.num_heads, self.head_dim)
        v = self.v_proj(x).view(b, s, self.num_heads, self.head_dim)
        # per-head RMS normalization of queries and keys (no learnable gain)
        q = F.rms_norm(q, (self.head_dim,))
        k = F.rms_norm(k, (self.head_dim,))
        q = self.pos_embeddings(q)
        k = self.pos_embeddings(k)
        out = F.scaled_dot_product_attention(
            q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True
        )
        out = out.transpose(1, 2).contiguous().view(b, s, -1)
        return self.output_proj(out)


class FeedForward(nn.Module):
    def __init__(self, embed_dim: int, hidden_dim: int) -> None:
        super().__init__()
        self.w1 = nn.Linear(embed_dim, hidden_dim, bias=False)
        self.w2 = nn.Linear(hidden_dim, embed_dim, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        h = F.relu(self.w1(x)).square()
        return self.w2(h)


class ScaleBy(nn.Module):
    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def forward(self, x: Tensor) -> Tensor:
        return x * self.value


class TransformerSelfAttentionLayer(nn.Module):
    def __init__(self, attn: nn.Module, mlp: nn.Module, sa_scale: nn.Module, mlp_scale: nn.Module) -> None:
        super().__init__()
        self.attn = attn
        self.mlp = mlp
        self.sa_scale = sa_scale
        self.mlp_scale = mlp_scale

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.sa_scale(self.attn(F.rms_norm(x, (x.size(-1),))))
        x = x + self.mlp_scale(self.mlp(F.rms_norm(x, (x.size(-1),))))
        return x


class TransformerDecoder(nn.Module):
    def __init__(
        self,
        tok_embeddings: nn.Embedding,
        layers: nn.ModuleList,
        output: nn.Linear,
        logit_softcap: Optional[float] = None,
    ) -> None:
        super().__init__()
        self.tok_embeddings = tok_embeddings
        self.layers = layers
        self.output = output
        self.logit_softcap = logit_softcap

    def forward(self, tokens: Tensor) -> Tensor:
        h = self.tok_embeddings(tokens)
        h = F.rms_norm(h, (h.size(-1),))
        for layer in self.layers:
            h = layer(h)
        h = F.rms_norm(h, (h.size(-1),))
        logits = self.output(h)
        if self.logit_softcap is not None:
            logits = self.logit_softcap * torch.tanh(logits / self.logit_softcap)
        return logits


def gpt_builder(
    vocab_size: int,
    num_layers: int,
    num_heads: int,
    embed_dim: int,
    max_seq_len: int,
    rope_base: int = 10_000,
    logit_softcap: Optional[float] = None,
) -> TransformerDecoder:
    head_dim = embed_dim // num_heads
    rope = RotaryPositionalEmbeddings(head_dim, max_seq_len=max_seq_len, base=rope_base)
    residual_scale = 1.0 / math.sqrt(2 * num_layers)
    layers = nn.ModuleList()
    for _ in range(num_layers):
        attn = MultiHeadAttention(embed_dim, num_heads, rope)
        mlp = FeedForward(embed_dim, 4 * embed_dim)
        # residual branch of the MLP starts as identity
        nn.init.zeros_(mlp.w2.weight)
        layers.append(
            TransformerSelfAttentionLayer(attn, mlp, sa_scale=ScaleBy(residual_scale), mlp_scale=nn.Identity())
        )
    tok_embeddings = nn.Embedding(vocab_size, embed_dim)
    output = nn.Linear(embed_dim, vocab_size, bias=False)  # not tied to tok_embeddings
    nn.init.zeros_(output.weight)
    return TransformerDecoder(tok_embeddings, layers, output, logit_softcap=logit_softcap)


# ----------------------------------------------------------------------------
# optimizer

def _newton_schulz_orthogonalize(mat: Tensor, iters: int = 5, eps: float = 1e-7) -> Tensor:
    """Approximate U V^T of ``mat`` with a quintic Newton-Schulz iteration."""
    assert mat.ndim == 2
    coef_a, coef_b, coef_c = 3.4445, -4.7750, 2.0315
    x = mat.bfloat16()
    x = x / (x.norm() + eps)
    transposed = mat.size(0) > mat.size(1)
    if transposed:
        x = x.T
    for _ in range(iters):
        gram = x @ x.T
        gx = gram @ x
        x = coef_a * x + coef_b * gx + coef_c * gram @ gx
    if transposed:
        x = x.T
    return x.to(mat.dtype)


class OrthogonalizedSGD(torch.optim.Optimizer):
    """Nesterov SGD whose update is replaced by its orthogonalized version."""

    def __init__(self, params, lr: float = 0.02, momentum: float = 0.95, nesterov: bool = True, ns_iters: int = 5):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, ns_iters=ns_iters))

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = torch.zeros_like(grad)
                buf = state["momentum_buffer"]
                buf.mul_(group["momentum"]).add_(grad)
                update = grad.add(buf, alpha=group["momentum"]) if group["nesterov"] else buf
                update = _newton_schulz_orthogonalize(update, iters=group["ns_iters"])
                rows, cols = p.shape
                p.add_(update, alpha=-group["lr"] * max(1.0, rows / cols) ** 0.5)
        return loss


def get_trapezoid_schedule(optimizer, num_warmup_steps: int, num_training_steps: int, num_cooldown_steps: int) -> LambdaLR:
    """Linear warmup, flat plateau, linear cooldown to zero."""

    def lr_lambda(step: int) -> float:
        if step < num_warmup_steps:
            return (step + 1) / num_warmup_steps
        if step < num_training_steps - num_cooldown_steps:
            return 1.0
        return max(0.0, (num_training_steps - step) / num_cooldown_steps)

    return LambdaLR(optimizer, lr_lambda)


# ----------------------------------------------------------------------------
# data

class PretokenizedShards:
    """Stream of fixed-length token windows from uint16 .bin shards (header 256 int32)."""

    HEADER_INTS = 256

    def __init__(self, pattern: str, seq_len: int) -> None:
        import glob

        self.files = sorted(glob.glob(pattern))
        assert self.files, f"no shards match {pattern}"
        self.seq_len = seq_len

    def _load(self, path: str) -> np.ndarray:
        header = np.fromfile(path, dtype=np.int32, count=self.HEADER_INTS)
        assert header[0] == 20240520, "bad magic"
        ntok = int(header[2])
        return np.memmap(path, dtype=np.uint16, mode="r", offset=self.HEADER_INTS * 4, shape=(ntok,))

    def iterate(self, batch_size: int, rank: int, world_size: int) -> Iterator[Tuple[Tensor, Tensor]]:
        span = batch_size * self.seq_len
        for path in self.files:
            tokens = self._load(path)
            pos = rank * span
            while pos + span + 1 <= len(tokens):
                chunk = torch.from_numpy(tokens[pos : pos + span + 1].astype(np.int64))
                yield chunk[:-1].view(batch_size, self.seq_len), chunk[1:].view(batch_size, self.seq_len)
                pos += span * world_size


# ----------------------------------------------------------------------------
# recipe

class FullPretrainRecipeDistributed:
    def __init__(self, cfg: Dict[str, Any]) -> None:
        self.cfg = cfg
        self.rank = int(os.environ.get("RANK", 0))
        self.world_size = int(os.environ.get("WORLD_SIZE", 1))
        self.local_rank = int(os.environ.get("LOCAL_RANK", 0))
        self.is_rank_zero = self.rank == 0
        self.device = torch.device("cuda", self.local_rank)
        self.global_step = 0

    # -- setup ---------------------------------------------------------------
    def setup(self) -> None:
        cfg = self.cfg
        if self.world_size > 1:
            dist.init_process_group(backend="nccl")
        torch.cuda.set_device(self.device)
        torch.manual_seed(cfg["seed"])
        self._setup_sdpa(cfg.get("sdpa_backend", "default"))

        model = instantiate(cfg["model"]).to(self.device)
        self._raw_model = model
        if cfg.get("compile", False):
            model = torch.compile(model)
        if self.world_size > 1:
            model = DDP(model, device_ids=[self.local_rank])
        self.model = model

        self.optimizers = self._setup_optimizers(cfg["optimizer"])
        self.lr_schedulers = [
            instantiate(cfg["lr_scheduler"], opt, num_training_steps=cfg["max_steps"]) for opt in self.optimizers
        ]
        self.train_data = instantiate(cfg["dataset"]).iterate(cfg["batch_size"], self.rank, self.world_size)
        self.val_data_cfg = cfg["val_dataset"]
        if self.is_rank_zero:
            nparams = sum(p.numel() for p in self._raw_model.parameters())
            log.info(f"Model has {nparams / 1e6:.1f}M parameters")

    def _setup_sdpa(self, backend: str) -> None:
        if backend == "cudnn":
            torch.backends.cuda.enable_cudnn_sdp(True)
            torch.backends.cuda.enable_flash_sdp(False)
            torch.backends.cuda.enable_mem_efficient_sdp(False)
            torch.backends.cuda.enable_math_sdp(False)

    def _setup_optimizers(self, opt_cfg: Dict[str, Any]) -> List[torch.optim.Optimizer]:
        m = self._raw_model
        hidden = [p for p in m.layers.parameters() if p.ndim == 2]
        embed_opt = instantiate(opt_cfg["embed"], [m.tok_embeddings.weight])
        head_opt = instantiate(opt_cfg["head"], [m.output.weight])
        hidden_opt = instantiate(opt_cfg["hidden"], hidden)
        self._hidden_opt = hidden_opt
        return [embed_opt, head_opt, hidden_opt]

    # -- train ---------------------------------------------------------------
    def _loss_fn(self, logits: Tensor, labels: Tensor) -> Tensor:
        return F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1))

    @torch.no_grad()
    def _validate(self) -> float:
        self.model.eval()
        cfg = self.cfg
        ds = instantiate(self.val_data_cfg)
        n_batches = cfg["val_tokens"] // (cfg["batch_size"] * ds.seq_len * self.world_size)
        total = torch.zeros((), device=self.device)
        it = ds.iterate(cfg["batch_size"], self.rank, self.world_size)
        for _ in range(n_batches):
            tokens, labels = next(it)
            tokens, labels = tokens.to(self.device), labels.to(self.device)
            with torch.autocast("cuda", dtype=torch.bfloat16):
                total += self._loss_fn(self.model(tokens), labels)
        total /= n_batches
        if self.world_size > 1:
            dist.all_reduce(total, op=dist.ReduceOp.AVG)
        self.model.train()
        return total.item()

    def _update_momentum(self) -> None:
        mw = self.cfg["momentum_warmup"]
        frac = min(1.0, self.global_step / mw["steps"])
        momentum = mw["start"] + (mw["end"] - mw["start"]) * frac
        for group in self._hidden_opt.param_groups:
            group["momentum"] = momentum

    def train(self) -> None:
        cfg = self.cfg
        t0 = time.perf_counter()
        self.model.train()
        while self.global_step < cfg["max_steps"]:
            if self.global_step % cfg["val_every_n_steps"] == 0:
                val_loss = self._validate()
                if self.is_rank_zero:
                    log.info(f"step {self.global_step} | val_loss {val_loss:.4f}")
            tokens, labels = next(self.train_data)
            tokens = tokens.to(self.device, non_blocking=False)
            labels = labels.to(self.device)
            with torch.autocast("cuda", dtype=torch.bfloat16):
                logits = self.model(tokens)
                loss = self._loss_fn(logits, labels)
            loss.backward()
            self._update_momentum()
            for opt, sched in zip(self.optimizers, self.lr_schedulers):
                opt.step()
                sched.step()
            self.model.zero_grad(set_to_none=True)
            self.global_step += 1
            if self.is_rank_zero and self.global_step % 10 == 0:
                elapsed = time.perf_counter() - t0
                log.info(
                    f"step {self.global_step}/{cfg['max_steps']} | loss {loss.item():.4f} | "
                    f"lr_scale {self.lr_schedulers[0].get_last_lr()[0] / 0.3:.3f} | {elapsed:.1f}s"
                )
        final = self._validate()
        if self.is_rank_zero:
            log.info(f"final val_loss {final:.4f}")

    def cleanup(self) -> None:
        if self.world_size > 1:
            dist.destroy_process_group()


def recipe_main(argv: List[str]) -> None:
    cfg = yaml.safe_load(RECIPE_CONFIG)
    cfg = _apply_cli_overrides(cfg, argv)
    recipe = FullPretrainRecipeDistributed(cfg)
    recipe.setup()
    recipe.train()
    recipe.cleanup()


if __name__ == "__main__":
    recipe_main(sys.argv[1:])
