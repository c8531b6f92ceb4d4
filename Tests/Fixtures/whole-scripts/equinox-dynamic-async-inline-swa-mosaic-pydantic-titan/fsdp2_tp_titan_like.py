# Copyright (c) the contributors.
# All rights reserved.
#
# Minimal pretraining entry point in the style of a TOML-configured, composable-parallelism trainer:
# 2-D device mesh (dp_shard x tp), per-block tensor-parallel plans, FSDP2 fully_shard, optional float8
# linears, and warmup/stable/decay schedules expressed as LambdaLR closures.
#
#   torchrun --nproc_per_node 8 fsdp2_tp_titan_like.py --job.config_file ./llama_mini.toml
import os

os.environ.setdefault("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True")

import argparse
import glob
import math
import time
import tomllib
from dataclasses import dataclass, field, fields
from typing import Any, Dict, List, Optional

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.distributed.device_mesh import DeviceMesh, init_device_mesh
from torch.distributed.tensor import DTensor, Replicate, Shard, distribute_tensor
from torch.distributed.tensor.parallel import (
    ColwiseParallel,
    PrepareModuleInput,
    RowwiseParallel,
    SequenceParallel,
    parallelize_module,
)
from torch.optim.lr_scheduler import LambdaLR

try:
    from torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard
except ImportError:  # older releases keep FSDP2 under _composable
    from torch.distributed._composable.fsdp import MixedPrecisionPolicy, fully_shard


DEFAULT_TOML = """
[job]
dump_folder = "./outputs"
description = "llama-mini 124M on fineweb"

[model]
name = "llama_mini"
dim = 768
n_layers = 12
n_heads = 12
vocab_size = 50257
ffn_hidden = 2048
norm_eps = 1e-6
rope_theta = 1024.0
rope_table_len = 65536
qk_norm = true
attn_softmax_scale = 0.12

[optimizer]
name = "AdamW"
lr = 0.004
betas = [0.9, 0.95]
eps = 1e-8
weight_decay = 0.1
implementation = "foreach"
matrix_optimizer = "muon"
matrix_lr = 0.025
matrix_momentum = 0.95
ns_steps = 5

[lr_scheduler]
warmup_steps = 200
decay_ratio = 0.4
decay_type = "linear"
lr_min = 0.1

[training]
local_batch_size = 8
seq_len = 2048
steps = 4000
max_norm = 1.0
dataset_path = "data/fineweb10B"
seed = 42

[parallelism]
data_parallel_shard_degree = -1
tensor_parallel_degree = 1

[float8]
enable_float8_linear = true
filter_fqns = ["output"]

[compile]
enable = true
stance_after_steps = 5
stance = "eager_on_recompile"

[metrics]
log_freq = 1
"""


# ----------------------------------------------------------------------------- job config
@dataclass
class Model:
    name: str = "llama_mini"
    dim: int = 768
    n_layers: int = 12
    n_heads: int = 12
    vocab_size: int = 50257
    ffn_hidden: int = 2048
    norm_eps: float = 1e-6
    rope_theta: float = 10000.0
    rope_table_len: int = 4096
    qk_norm: bool = False
    attn_softmax_scale: Optional[float] = None


@dataclass
class Optimizer:
    name: str = "AdamW"
    lr: float = 3e-4
    betas: List[float] = field(default_factory=lambda: [0.9, 0.95])
    eps: float = 1e-8
    weight_decay: float = 0.1
    implementation: str = "foreach"
    matrix_optimizer: Optional[str] = None
    matrix_lr: float = 0.02
    matrix_momentum: float = 0.95
    ns_steps: int = 5


@dataclass
class LRScheduler:
    warmup_steps: int = 200
    decay_ratio: Optional[float] = None
    decay_type: str = "linear"
    lr_min: float = 0.0


@dataclass
class Training:
    local_batch_size: int = 8
    seq_len: int = 2048
    steps: int = 10000
    max_norm: float = 1.0
    dataset_path: str = "data"
    seed: int = 0


@dataclass
class Parallelism:
    data_parallel_shard_degree: int = -1
    tensor_parallel_degree: int = 1


@dataclass
class Float8:
    enable_float8_linear: bool = False
    filter_fqns: List[str] = field(default_factory=list)


@dataclass
class Compile:
    enable: bool = False
    stance_after_steps: int = 0
    stance: str = "default"


@dataclass
class Metrics:
    log_freq: int = 10


@dataclass
class Job:
    dump_folder: str = "./outputs"
    description: str = ""
    config_file: Optional[str] = None


@dataclass
class JobConfig:
    job: Job = field(default_factory=Job)
    model: Model = field(default_factory=Model)
    optimizer: Optimizer = field(default_factory=Optimizer)
    lr_scheduler: LRScheduler = field(default_factory=LRScheduler)
    training: Training = field(default_factory=Training)
    parallelism: Parallelism = field(default_factory=Parallelism)
    float8: Float8 = field(default_factory=Float8)
    compile: Compile = field(default_factory=Compile)
    metrics: Metrics = field(default_factory=Metrics)

    @classmethod
    def from_toml(cls, text: str, cli_overrides: Dict[str, str]) -> "JobConfig":
        raw = tomllib.loads(text)
        for dotted, value in cli_overrides.items():
            section, key = dotted.split(".", 1)
            raw.setdefault(section, {})[key] = tomllib.loads(f"v = {value}")["v"] if value else value
        cfg = cls()
        for f in fields(cls):
            section_obj = getattr(cfg, f.name)
            for k, v in raw.get(f.name, {}).items():
                if not hasattr(section_obj, k):
                    raise KeyError(f"unknown option [{f.name}].{k}")
                setattr(section_obj, k, v)
        return cfg


def parse_args() -> JobConfig:
    ap = argparse.ArgumentParser()
    ap.add_argument("--job.config_file", dest="config_file", default=None)
    known, rest = ap.parse_known_args()
    overrides = {}
    for tok in rest:
        if tok.startswith("--") and "=" in tok:
            k, v = tok[2:].split("=", 1)
            overrides[k] = v
    text = open(known.config_file).read() if known.config_file else DEFAULT_TOML
    return JobConfig.from_toml(text, overrides)


# ----------------------------------------------------------------------------- model
def precompute_freqs_cis(head_dim: int, end: int, theta: float) -> torch.Tensor:
    quarter = head_dim // 4
    spinning = (1.0 / theta) ** torch.linspace(0, 1, steps=quarter, dtype=torch.float32)
    freqs = torch.cat([spinning, spinning.new_zeros(quarter)])
    t = torch.arange(end, dtype=torch.float32)
    return torch.polar(torch.ones(end, freqs.numel()), torch.outer(t, freqs))


def apply_rotary_emb(x: torch.Tensor, freqs_cis: torch.Tensor) -> torch.Tensor:
    # x: (bs, seqlen, n_heads, head_dim); rotation is done in fp32 on interleaved pairs
    xc = torch.view_as_complex(x.float().reshape(*x.shape[:-1], -1, 2))
    fc = freqs_cis[: x.shape[1]].view(1, x.shape[1], 1, xc.shape[-1])
    return torch.view_as_real(xc * fc).flatten(3).type_as(x)


class Attention(nn.Module):
    def __init__(self, m: Model):
        super().__init__()
        self.n_heads = m.n_heads
        self.head_dim = m.dim // m.n_heads
        self.wqkv = nn.Parameter(torch.empty(3, m.dim, m.dim))
        self.wo = nn.Linear(m.dim, m.dim, bias=False)
        self.qk_norm = m.qk_norm
        self.scale = m.attn_softmax_scale
        self.eps = m.norm_eps

    def init_weights(self, std: float) -> None:
        nn.init.trunc_normal_(self.wqkv, mean=0.0, std=std)
        nn.init.zeros_(self.wo.weight)

    def forward(self, x: torch.Tensor, freqs_cis: torch.Tensor) -> torch.Tensor:
        bs, seqlen, _ = x.shape
        w = self.wqkv.flatten(0, 1)
        xq, xk, xv = F.linear(x, w).view(bs, seqlen, 3, -1, self.head_dim).unbind(2)
        if self.qk_norm:
            xq = F.rms_norm(xq, (self.head_dim,), eps=self.eps)
            xk = F.rms_norm(xk, (self.head_dim,), eps=self.eps)
        xq, xk = apply_rotary_emb(xq, freqs_cis), apply_rotary_emb(xk, freqs_cis)
        out = F.scaled_dot_product_attention(
            xq.transpose(1, 2), xk.transpose(1, 2), xv.transpose(1, 2), is_causal=True, scale=self.scale
        )
        return self.wo(out.transpose(1, 2).reshape(bs, seqlen, -1))


class FeedForward(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.w1 = nn.Linear(dim, hidden, bias=False)
        self.w2 = nn.Linear(hidden, dim, bias=False)
        self.w3 = nn.Linear(dim, hidden, bias=False)

    def init_weights(self, std: float) -> None:
        nn.init.trunc_normal_(self.w1.weight, std=std)
        nn.init.trunc_normal_(self.w3.weight, std=std)
        nn.init.zeros_(self.w2.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class TransformerBlock(nn.Module):
    def __init__(self, layer_id: int, m: Model):
        super().__init__()
        self.layer_id = layer_id
        self.attention_norm = nn.RMSNorm(m.dim, eps=m.norm_eps, elementwise_affine=False)
        self.attention = Attention(m)
        self.ffn_norm = nn.RMSNorm(m.dim, eps=m.norm_eps, elementwise_affine=False)
        self.feed_forward = FeedForward(m.dim, m.ffn_hidden)

    def forward(self, x: torch.Tensor, freqs_cis: torch.Tensor) -> torch.Tensor:
        h = x + self.attention(self.attention_norm(x), freqs_cis)
        return h + self.feed_forward(self.ffn_norm(h))


class Transformer(nn.Module):
    def __init__(self, m: Model):
        super().__init__()
        self.model_args = m
        self.tok_embeddings = nn.Embedding(m.vocab_size, m.dim)
        self.register_buffer(
            "freqs_cis", precompute_freqs_cis(m.dim // m.n_heads, m.rope_table_len, m.rope_theta), persistent=False
        )
        self.layers = nn.ModuleDict({str(i): TransformerBlock(i, m) for i in range(m.n_layers)})
        self.norm = nn.RMSNorm(m.dim, eps=m.norm_eps, elementwise_affine=False)
        self.output = nn.Linear(m.dim, m.vocab_size, bias=False)

    def init_weights(self) -> None:
        nn.init.normal_(self.tok_embeddings.weight)
        for block in self.layers.values():
            block.attention.init_weights(0.02)
            block.feed_forward.init_weights(0.02)
        s = self.model_args.dim ** -0.5
        nn.init.trunc_normal_(self.output.weight, std=s, a=-3 * s, b=3 * s)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        h = self.tok_embeddings(tokens)
        for block in self.layers.values():
            h = block(h, self.freqs_cis)
        return self.output(self.norm(h))


# ----------------------------------------------------------------------------- parallelisms
def apply_tp(model: Transformer, tp_mesh: DeviceMesh) -> None:
    parallelize_module(
        model,
        tp_mesh,
        {
            "tok_embeddings": RowwiseParallel(input_layouts=Replicate(), output_layouts=Shard(1)),
            "norm": SequenceParallel(),
            "output": ColwiseParallel(input_layouts=Shard(1), output_layouts=Replicate()),
        },
    )
    for block in model.layers.values():
        layer_plan = {
            "attention_norm": SequenceParallel(),
            "attention": PrepareModuleInput(
                input_layouts=(Shard(1), None), desired_input_layouts=(Replicate(), None)
            ),
            # the stacked qkv parameter stays replicated; only the output projection is split
            "attention.wo": RowwiseParallel(input_layouts=Replicate(), output_layouts=Shard(1)),
            "ffn_norm": SequenceParallel(),
            "feed_forward": PrepareModuleInput(input_layouts=(Shard(1),), desired_input_layouts=(Replicate(),)),
            "feed_forward.w1": ColwiseParallel(),
            "feed_forward.w2": RowwiseParallel(output_layouts=Shard(1)),
            "feed_forward.w3": ColwiseParallel(),
        }
        parallelize_module(block, tp_mesh, layer_plan)


def convert_float8(model: nn.Module, f8: Float8) -> None:
    if not f8.enable_float8_linear:
        return
    from torchao.float8 import Float8LinearConfig, convert_to_float8_training

    def module_filter_fn(mod: nn.Module, fqn: str) -> bool:
        if not isinstance(mod, nn.Linear):
            return False
        if any(skip in fqn for skip in f8.filter_fqns):
            return False
        return mod.in_features % 16 == 0 and mod.out_features % 16 == 0

    convert_to_float8_training(
        model, config=Float8LinearConfig(enable_fsdp_float8_all_gather=True), module_filter_fn=module_filter_fn
    )


def apply_fsdp(model: Transformer, dp_mesh: DeviceMesh) -> None:
    mp = MixedPrecisionPolicy(param_dtype=torch.bfloat16, reduce_dtype=torch.float32)
    n = len(model.layers)
    for layer_id, block in model.layers.items():
        fully_shard(block, mesh=dp_mesh, mp_policy=mp, reshard_after_forward=int(layer_id) < n - 1)
    fully_shard(model, mesh=dp_mesh, mp_policy=mp, reshard_after_forward=True)


# ----------------------------------------------------------------------------- optimizers
def orthogonalize_batched(G: torch.Tensor, steps: int) -> torch.Tensor:
    """Quintic Newton-Schulz on the last two dims; leading dims are independent matrices."""
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    wide = G.size(-2) <= G.size(-1)
    if not wide:
        X = X.mT
    X = X / (torch.linalg.matrix_norm(X, keepdim=True) + 1e-7)
    for _ in range(steps):
        A = X @ X.mT
        X = a * X + b * (A @ X) + c * (A @ A @ X)
    return X if wide else X.mT


class MatrixMomentum(torch.optim.Optimizer):
    """Nesterov momentum whose step is replaced by its orthogonal factor (works on DTensor shards)."""

    def __init__(self, params, lr: float, momentum: float, ns_steps: int):
        super().__init__(params, dict(lr=lr, momentum=momentum, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.full_tensor() if isinstance(p.grad, DTensor) else p.grad
                state = self.state[p]
                if "mom" not in state:
                    state["mom"] = torch.zeros_like(g)
                mom = state["mom"]
                mom.lerp_(g, 1 - group["momentum"])
                u = orthogonalize_batched(g.lerp(mom, group["momentum"]), group["ns_steps"]).to(g.dtype)
                if isinstance(p, DTensor):
                    u = distribute_tensor(u, p.device_mesh, p.placements)
                p.add_(u, alpha=-group["lr"])


def build_optimizers(model: Transformer, o: Optimizer) -> List[torch.optim.Optimizer]:
    matrix, rest = [], []
    for name, p in model.named_parameters():
        (matrix if name.startswith("layers.") and p.ndim >= 2 else rest).append(p)
    kw = dict(lr=o.lr, betas=tuple(o.betas), eps=o.eps, weight_decay=o.weight_decay,
              foreach=o.implementation == "foreach", fused=o.implementation == "fused")
    opts: List[torch.optim.Optimizer] = [torch.optim.AdamW(rest, **kw)]
    if o.matrix_optimizer == "muon":
        opts.append(MatrixMomentum(matrix, lr=o.matrix_lr, momentum=o.matrix_momentum, ns_steps=o.ns_steps))
    else:
        opts[0].add_param_group({"params": matrix})
    return opts


def build_lr_schedulers(optimizers: List[torch.optim.Optimizer], s: LRScheduler, total: int) -> List[LambdaLR]:
    warmup = s.warmup_steps
    decay = int(total * s.decay_ratio) if s.decay_ratio is not None else total - warmup
    stable_until = total - decay
    floor = s.lr_min

    def linear_warmup_stable_decay(step: int) -> float:
        if step < warmup:
            return float(step + 1) / float(warmup + 1)
        if step < stable_until:
            return 1.0
        progress = (step - stable_until) / max(1, decay)
        if s.decay_type == "linear":
            keep = 1.0 - progress
        elif s.decay_type == "sqrt":
            keep = 1.0 - math.sqrt(progress)
        elif s.decay_type == "cosine":
            keep = 0.5 * (1.0 + math.cos(math.pi * progress))
        else:
            raise ValueError(s.decay_type)
        return floor + (1.0 - floor) * keep

    return [LambdaLR(opt, linear_warmup_stable_decay) for opt in optimizers]


# ----------------------------------------------------------------------------- data
class TokenShards:
    def __init__(self, path: str, split: str, bs: int, seq: int, dp_rank: int, dp_size: int):
        self.files = sorted(glob.glob(os.path.join(path, f"fineweb_{split}_*.bin")))
        self.bs, self.seq, self.rank, self.size = bs, seq, dp_rank, dp_size

    def __iter__(self):
        n = self.bs * self.seq
        while True:
            for fn in self.files:
                toks = np.fromfile(fn, dtype=np.uint16, offset=1024)
                for start in range(self.rank * n, len(toks) - n - 1, self.size * n):
                    chunk = torch.from_numpy(toks[start:start + n + 1].astype(np.int64))
                    yield chunk[:-1].view(self.bs, self.seq), chunk[1:].view(self.bs, self.seq)


# ----------------------------------------------------------------------------- main
def main(cfg: JobConfig) -> None:
    dist.init_process_group("nccl")
    world = dist.get_world_size()
    local_rank = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local_rank)
    torch.manual_seed(cfg.training.seed)

    tp = cfg.parallelism.tensor_parallel_degree
    dp = cfg.parallelism.data_parallel_shard_degree
    dp = world // tp if dp == -1 else dp
    mesh = init_device_mesh("cuda", (dp, tp), mesh_dim_names=("dp_shard", "tp"))

    with torch.device("meta"):
        model = Transformer(cfg.model)
    convert_float8(model, cfg.float8)
    if tp > 1:
        apply_tp(model, mesh["tp"])
    if cfg.compile.enable:
        for layer_id, block in model.layers.named_children():
            model.layers.register_module(layer_id, torch.compile(block, fullgraph=True))
    apply_fsdp(model, mesh["dp_shard"])
    model.to_empty(device="cuda")
    with torch.no_grad():
        model.freqs_cis = precompute_freqs_cis(
            cfg.model.dim // cfg.model.n_heads, cfg.model.rope_table_len, cfg.model.rope_theta
        ).cuda()
        model.init_weights()

    optimizers = build_optimizers(model, cfg.optimizer)
    schedulers = build_lr_schedulers(optimizers, cfg.lr_scheduler, cfg.training.steps)
    t = cfg.training
    data = iter(TokenShards(t.dataset_path, "train", t.local_batch_size, t.seq_len,
                            mesh["dp_shard"].get_local_rank(), dp))
    rank0 = dist.get_rank() == 0
    if rank0:
        print(f"[{cfg.job.description}] mesh={tuple(mesh.shape)} tokens/step={t.local_batch_size * t.seq_len * dp:,}")

    t_last = time.perf_counter()
    for step in range(1, t.steps + 1):
        if cfg.compile.enable and step == cfg.compile.stance_after_steps:
            torch.compiler.set_stance(cfg.compile.stance)
        inputs, labels = next(data)
        inputs, labels = inputs.cuda(), labels.cuda()
        for opt in optimizers:
            opt.zero_grad()
        pred = model(inputs)
        loss = F.cross_entropy(pred.flatten(0, 1), labels.flatten(0, 1))
        del pred
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), t.max_norm, foreach=True)
        for opt in optimizers:
            opt.step()
        for sch in schedulers:
            sch.step()
        if step % cfg.metrics.log_freq == 0:
            avg = loss.detach().clone()
            dist.all_reduce(avg, op=dist.ReduceOp.AVG, group=mesh["dp_shard"].get_group())
            if rank0:
                now = time.perf_counter()
                gn = grad_norm.full_tensor() if isinstance(grad_norm, DTensor) else grad_norm
                print(f"step {step:5d}  loss {avg.item():.4f}  gnorm {gn.item():.3f}  "
                      f"lr {schedulers[0].get_last_lr()[0]:.2e}  {1000 * (now - t_last) / cfg.metrics.log_freq:.0f}ms/step")
                t_last = now

    dist.destroy_process_group()


if __name__ == "__main__":
    main(parse_args())
