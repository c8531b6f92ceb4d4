"""Compact GPT trainer configured by validated pydantic v2 specs and a click CLI.

    python click_and_pydantic_v2.py --config-file run.json --lr 1e-3 --steps 4000
    python click_and_pydantic_v2.py --set model.depth=16 --set optim.warmup_steps=100
"""
from __future__ import annotations

import glob
import json
import math
import os
import time
from pathlib import Path
from typing import Any, Iterator, Optional

import click
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

DEFAULT_CONFIG_JSON = """
{
  "name": "compact-gpt",
  "model": {"vocab_size": 50257, "vocab_multiple": 128, "width": 768, "depth": 12,
            "heads": 12, "max_len": 1024, "rope_base": 10000.0, "score_cap": 50.0},
  "optim": {"lr": 0.0008, "beta1": 0.8, "beta2": 0.95, "eps": 1e-10, "weight_decay": 0.0,
            "warmup_steps": 250, "min_lr_ratio": 0.0},
  "data": {"train_glob": "data/fineweb10B/fineweb_train_*.bin",
           "val_glob": "data/fineweb10B/fineweb_val_*.bin"},
  "batch_size": 16, "grad_accum": 2, "steps": 5000, "eval_every": 250, "eval_batches": 40
}
"""


# ------------------------------------------------------------------------------------------
# specs
# ------------------------------------------------------------------------------------------
class ModelSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    vocab_size: int = Field(default=50257, ge=2)
    vocab_multiple: int = Field(default=128, ge=1)
    width: int = Field(default=768, ge=64)
    depth: int = Field(default=12, ge=2)
    heads: int = Field(default=12, ge=1)
    max_len: int = Field(default=1024, ge=16)
    rope_base: float = Field(default=10000.0, gt=1.0)
    score_cap: float = Field(default=50.0, ge=0.0, description="tanh cap on attention scores; 0 disables")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def table_size(self) -> int:
        m = self.vocab_multiple
        return -(-self.vocab_size // m) * m

    @computed_field  # type: ignore[prop-decorator]
    @property
    def head_dim(self) -> int:
        return self.width // self.heads

    @model_validator(mode="after")
    def _shapes_ok(self) -> "ModelSpec":
        if self.width % self.heads:
            raise ValueError("width must be divisible by heads")
        if self.head_dim % 2:
            raise ValueError("head_dim must be even for rotary")
        if self.depth % 2:
            raise ValueError("depth must be even: half the blocks feed the other half")
        return self


class OptimSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lr: float = Field(default=8e-4, gt=0.0)
    beta1: float = Field(default=0.8, ge=0.0, lt=1.0)
    beta2: float = Field(default=0.95, ge=0.0, lt=1.0)
    eps: float = Field(default=1e-10, gt=0.0)
    weight_decay: float = Field(default=0.0, ge=0.0)
    warmup_steps: int = Field(default=250, ge=0)
    min_lr_ratio: float = Field(default=0.0, ge=0.0, le=1.0)


class DataSpec(BaseModel):
    train_glob: str
    val_glob: str


class RunSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = "compact-gpt"
    model: ModelSpec = ModelSpec()
    optim: OptimSpec = OptimSpec()
    data: DataSpec
    batch_size: int = Field(default=16, ge=1)
    grad_accum: int = Field(default=2, ge=1)
    steps: int = Field(default=5000, ge=1)
    eval_every: int = Field(default=250, ge=1)
    eval_batches: int = Field(default=40, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _legacy_keys(cls, raw: Any) -> Any:
        if isinstance(raw, dict) and "num_iterations" in raw:
            raw = dict(raw)
            raw["steps"] = raw.pop("num_iterations")
        return raw

    @computed_field  # type: ignore[prop-decorator]
    @property
    def tokens_per_step(self) -> int:
        world = int(os.environ.get("WORLD_SIZE", "1"))
        return self.batch_size * self.grad_accum * self.model.max_len * world

    @model_validator(mode="after")
    def _warmup_fits(self) -> "RunSpec":
        if self.optim.warmup_steps >= self.steps:
            raise ValueError("warmup longer than the run")
        return self


def apply_dotted(tree: dict, dotted: str, value: Any) -> None:
    *path, leaf = dotted.split(".")
    for key in path:
        tree = tree.setdefault(key, {})
    tree[leaf] = value


# ------------------------------------------------------------------------------------------
# model
# ------------------------------------------------------------------------------------------
class Dense(nn.Linear):
    """Linear layer whose master weight stays fp32 while activations run in bf16."""

    def __init__(self, fan_in: int, fan_out: int):
        super().__init__(fan_in, fan_out, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight.type_as(x))


def rms(x: torch.Tensor) -> torch.Tensor:
    return F.rms_norm(x, (x.size(-1),))


class RoPE(nn.Module):
    def __init__(self, dim: int, base: float, max_len: int):
        super().__init__()
        inv = 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim))
        t = torch.arange(max_len).float()
        ang = torch.outer(t, inv)
        self.register_buffer("cos", ang.cos(), persistent=False)
        self.register_buffer("sin", ang.sin(), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (B, H, T, D)
        T = x.size(-2)
        c, s = self.cos[:T].type_as(x), self.sin[:T].type_as(x)
        lo, hi = x.chunk(2, dim=-1)
        return torch.cat([lo * c + hi * s, hi * c - lo * s], dim=-1)


class Attention(nn.Module):
    def __init__(self, spec: ModelSpec):
        super().__init__()
        self.h, self.d = spec.heads, spec.head_dim
        self.qkv = Dense(spec.width, 3 * spec.width)
        self.out = Dense(spec.width, spec.width)
        self.rope = RoPE(spec.head_dim, spec.rope_base, spec.max_len)
        self.cap = spec.score_cap
        self.ve_gate = nn.Parameter(torch.tensor(0.5))

    def forward(self, x: torch.Tensor, ve: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=-1)
        v = (1 - self.ve_gate) * v + self.ve_gate * ve
        q, k, v = (t.view(B, T, self.h, self.d).transpose(1, 2) for t in (q, k, v))
        q, k = self.rope(q), self.rope(k)
        scores = (q @ k.transpose(-2, -1)) * self.d ** -0.5
        if self.cap > 0:
            scores = self.cap * torch.tanh(scores / self.cap)
        causal = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
        scores = scores.masked_fill(~causal, float("-inf"))
        att = scores.float().softmax(-1).type_as(v)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        return self.out(y)


class Block(nn.Module):
    def __init__(self, spec: ModelSpec):
        super().__init__()
        self.attn = Attention(spec)
        self.fc = Dense(spec.width, 4 * spec.width)
        self.proj = Dense(4 * spec.width, spec.width)
        self.resid_mix = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x: torch.Tensor, x0: torch.Tensor, ve: torch.Tensor) -> torch.Tensor:
        x = self.resid_mix[0] * x + self.resid_mix[1] * x0
        x = x + self.attn(rms(x), ve)
        x = x + self.proj(F.gelu(self.fc(rms(x)), approximate="tanh"))
        return x


class CompactGPT(nn.Module):
    def __init__(self, spec: ModelSpec):
        super().__init__()
        self.spec = spec
        self.embed = nn.Embedding(spec.table_size, spec.width)
        self.value_embed = nn.Embedding(spec.table_size, spec.depth * spec.width)
        self.blocks = nn.ModuleList(Block(spec) for _ in range(spec.depth))
        self.half = spec.depth // 2
        self.skip_gain = nn.Parameter(torch.ones(self.half))
        self.unembed = Dense(spec.width, spec.table_size)

    def forward(self, idx: torch.Tensor, targets: Optional[torch.Tensor] = None):
        x = rms(self.embed(idx))
        x0 = x
        ves = self.value_embed(idx).chunk(self.spec.depth, dim=-1)
        stash = []
        for i in range(self.half):
            x = self.blocks[i](x, x0, ves[i])
            stash.append(x)
        for j in range(self.half):
            x = x + self.skip_gain[j] * stash.pop()
            x = self.blocks[self.half + j](x, x0, ves[self.half + j])
        logits = self.unembed(rms(x)).float()
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def to_low_precision(model: CompactGPT) -> CompactGPT:
    model = model.bfloat16()
    for m in model.modules():
        if isinstance(m, Dense):
            m.float()
    return model


# ------------------------------------------------------------------------------------------
# data / schedule
# ------------------------------------------------------------------------------------------
def batches(pattern: str, bsz: int, seqlen: int, device: str) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    files = sorted(glob.glob(pattern))
    if not files:
        raise click.ClickException(f"no files match {pattern}")
    rank = int(os.environ.get("RANK", "0"))
    world = int(os.environ.get("WORLD_SIZE", "1"))
    n = bsz * seqlen
    while True:
        for f in files:
            arr = np.memmap(f, dtype=np.uint16, mode="r", offset=1024)
            i = rank * n
            while i + n + 1 < len(arr):
                w = torch.from_numpy(np.asarray(arr[i:i + n + 1], dtype=np.int64))
                yield w[:-1].view(bsz, seqlen).to(device), w[1:].view(bsz, seqlen).to(device)
                i += n * world


def lr_factor(step: int, spec: RunSpec) -> float:
    o = spec.optim
    if step < o.warmup_steps:
        return (step + 1) / o.warmup_steps
    progress = (step - o.warmup_steps) / max(1, spec.steps - o.warmup_steps)
    cosine = 0.5 * (1.0 + math.cos(math.pi * min(progress, 1.0)))
    return o.min_lr_ratio + (1.0 - o.min_lr_ratio) * cosine


# ------------------------------------------------------------------------------------------
# cli
# ------------------------------------------------------------------------------------------
@click.command(context_settings={"show_default": True})
@click.option("--config-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
@click.option("--lr", type=float, default=None, help="override optim.lr")
@click.option("--steps", type=int, default=None, help="override steps")
@click.option("--batch-size", type=int, default=None)
@click.option("--depth", type=int, default=None, help="override model.depth")
@click.option("--set", "overrides", multiple=True, metavar="KEY=JSON", help="arbitrary dotted override")
@click.option("--dry-run", is_flag=True, help="print the resolved spec and exit")
def cli(config_file: Optional[Path], lr: Optional[float], steps: Optional[int], batch_size: Optional[int],
        depth: Optional[int], overrides: tuple[str, ...], dry_run: bool) -> None:
    raw = json.loads(config_file.read_text() if config_file else DEFAULT_CONFIG_JSON)
    for key, val in (("optim.lr", lr), ("steps", steps), ("batch_size", batch_size), ("model.depth", depth)):
        if val is not None:
            apply_dotted(raw, key, val)
    for item in overrides:
        key, _, text = item.partition("=")
        try:
            apply_dotted(raw, key, json.loads(text))
        except json.JSONDecodeError:
            apply_dotted(raw, key, text)
    # computed fields are echoed on dump; drop them before validating again
    raw.get("model", {}).pop("table_size", None)
    raw.get("model", {}).pop("head_dim", None)
    raw.pop("tokens_per_step", None)
    spec = RunSpec.model_validate(raw)
    if dry_run:
        click.echo(spec.model_dump_json(indent=2))
        return
    train(spec)


def train(spec: RunSpec) -> None:
    device = "cuda"
    torch.manual_seed(0)
    model = to_low_precision(CompactGPT(spec.model).to(device))
    o = spec.optim
    opt = torch.optim.AdamW(model.parameters(), lr=o.lr, betas=(o.beta1, o.beta2), eps=o.eps,
                            weight_decay=o.weight_decay)
    for g in opt.param_groups:
        g["peak_lr"] = g["lr"]
    step_fn = torch.compile(model)

    train_it = batches(spec.data.train_glob, spec.batch_size, spec.model.max_len, device)
    click.echo(f"[{spec.name}] {sum(p.numel() for p in model.parameters()) / 1e6:.1f}M params, "
               f"{spec.tokens_per_step:,} tokens/step, vocab table {spec.model.table_size}")

    t_start = time.perf_counter()
    for step in range(spec.steps + 1):
        if step % spec.eval_every == 0 or step == spec.steps:
            model.eval()
            val_it = batches(spec.data.val_glob, spec.batch_size, spec.model.max_len, device)
            with torch.no_grad():
                vl = sum(step_fn(*next(val_it)).item() for _ in range(spec.eval_batches)) / spec.eval_batches
            click.echo(f"step {step:5d} | val {vl:.4f} | {time.perf_counter() - t_start:.0f}s")
            model.train()
            if step == spec.steps:
                break
        for _ in range(spec.grad_accum):
            xb, yb = next(train_it)
            loss = step_fn(xb, yb)
            (loss / spec.grad_accum).backward()
        f = lr_factor(step, spec)
        for g in opt.param_groups:
            g["lr"] = g["peak_lr"] * f
        opt.step()
        opt.zero_grad(set_to_none=True)
        click.echo(f"step {step:5d} | loss {loss.item():.4f} | lr x{f:.3f}")


if __name__ == "__main__":
    cli()
