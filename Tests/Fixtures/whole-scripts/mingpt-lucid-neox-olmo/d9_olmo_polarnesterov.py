"""
OLMo-style single-file trainer: GPT-2 small on FineWeb with a Newton-Schulz
orthogonalised Nesterov optimizer for the transformer blocks.

Sections mirror the OLMo package layout: config.py / model.py / optim.py / data.py / train.py
"""
import os
import glob
import math
import time
from dataclasses import dataclass, asdict
from enum import Enum
from typing import Dict, Any, List

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

# ======================================================================= config.py
RUN_YAML: Dict[str, Any] = {
    "model": dict(d_model=768, n_heads=12, n_layers=12, vocab_size=50257, max_sequence_length=1024,
                  rope_theta=10000.0, activation_type="sq_gelu"),
    "optimizer": dict(learning_rate=0.0018, ortho_lr_multiplier=10.0, weight_decay=0.0, betas=(0.9, 0.95),
                      ortho_momentum=0.95, ns_steps=5),
    "scheduler": dict(t_warmup=250, t_warmdown=2000),
    "trainer": dict(device_train_microbatch_size=64, global_train_batch_size=512, max_duration=7000, eval_interval=128),
}


class ActivationType(str, Enum):
    gelu = "gelu"
    sq_gelu = "sq_gelu"


@dataclass
class ModelConfig:
    d_model: int
    n_heads: int
    n_layers: int
    vocab_size: int
    max_sequence_length: int
    rope_theta: float
    activation_type: ActivationType


@dataclass
class OptimizerConfig:
    learning_rate: float
    ortho_lr_multiplier: float
    weight_decay: float
    betas: tuple
    ortho_momentum: float
    ns_steps: int


@dataclass
class SchedulerConfig:
    t_warmup: int
    t_warmdown: int


@dataclass
class TrainerConfig:
    device_train_microbatch_size: int
    global_train_batch_size: int
    max_duration: int
    eval_interval: int


@dataclass
class TrainConfig:
    model: ModelConfig
    optimizer: OptimizerConfig
    scheduler: SchedulerConfig
    trainer: TrainerConfig

    @classmethod
    def load(cls, raw: Dict[str, Any]) -> "TrainConfig":
        m = dict(raw["model"])
        m["activation_type"] = ActivationType(m["activation_type"])
        return cls(ModelConfig(**m), OptimizerConfig(**raw["optimizer"]),
                   SchedulerConfig(**raw["scheduler"]), TrainerConfig(**raw["trainer"]))


# ======================================================================= model.py
class Activation(nn.Module):
    @staticmethod
    def build(kind: ActivationType) -> "Activation":
        return {ActivationType.gelu: GELU, ActivationType.sq_gelu: SquaredGELU}[kind]()


class GELU(Activation):
    def forward(self, x):
        return F.gelu(x)


class SquaredGELU(Activation):
    def forward(self, x):
        return F.gelu(x).square()


def rms_norm(x: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    xf = x.float()
    return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)).type_as(x)


class RotaryEmbedding(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        dim = config.d_model // config.n_heads
        self.register_buffer("inv_freq", 1.0 / (config.rope_theta ** (torch.arange(0, dim, 2).float() / dim)), persistent=False)

    def get_rotary_embedding(self, seq_len: int, device):
        pos = torch.arange(seq_len, device=device, dtype=self.inv_freq.dtype)
        freqs = torch.einsum("i , j -> i j", pos, self.inv_freq)
        positions = torch.cat((freqs, freqs), dim=-1)
        return positions.sin()[None, None], positions.cos()[None, None]

    @staticmethod
    def rotate_half(x):
        B, nh, T, hs = x.size()
        x = x.view(B, nh, T, 2, hs // 2)
        x1, x2 = x.unbind(dim=-2)
        return torch.cat((-x2, x1), dim=-1)

    def forward(self, q, k):
        sin, cos = self.get_rotary_embedding(q.shape[-2], q.device)
        q_ = (q.float() * cos + self.rotate_half(q.float()) * sin).type_as(q)
        k_ = (k.float() * cos + self.rotate_half(k.float()) * sin).type_as(k)
        return q_, k_


class OLMoBlock(nn.Module):
    def __init__(self, layer_id: int, config: ModelConfig):
        super().__init__()
        self.layer_id = layer_id
        self.config = config
        d = config.d_model
        self.att_proj = nn.Linear(d, 3 * d, bias=False)
        self.attn_out = nn.Linear(d, d, bias=False)
        self.ff_proj = nn.Linear(d, 4 * d, bias=False)
        self.ff_out = nn.Linear(4 * d, d, bias=False)
        self.act = Activation.build(config.activation_type)
        self.rotary_emb = RotaryEmbedding(config)
        self.attn_residual_scale = 1.0 / math.sqrt(2 * config.n_layers)

    def attention(self, x):
        B, T, C = x.size()
        q, k, v = self.att_proj(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.config.n_heads, -1).transpose(1, 2) for t in (q, k, v))
        q, k = self.rotary_emb(q, k)
        att = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.attn_out(att.transpose(1, 2).contiguous().view(B, T, C))

    def forward(self, x):
        x = x + self.attn_residual_scale * self.attention(rms_norm(x))
        x = x + self.ff_out(self.act(self.ff_proj(rms_norm(x))))
        return x


class OLMo(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab_size, config.d_model),
            blocks=nn.ModuleList([OLMoBlock(i, config) for i in range(config.n_layers)]),
        ))
        self.ff_out_head = nn.Linear(config.d_model, config.vocab_size, bias=False)
        self.transformer.wte.weight = self.ff_out_head.weight   # weight tying

    def forward(self, input_ids, labels=None):
        x = self.transformer.wte(input_ids)
        for block in self.transformer.blocks:
            x = block(x)
        logits = self.ff_out_head(rms_norm(x)).float()
        if labels is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1))


# ======================================================================= optim.py
def ns_orthogonalize(G, steps, eps=1e-7):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + eps)
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    if G.size(0) > G.size(1):
        X = X.T
    return X.to(G.dtype)


class PolarNesterov(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.95, ns_steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if "momentum_buffer" not in st:
                    st["momentum_buffer"] = torch.zeros_like(p.grad)
                buf = st["momentum_buffer"]
                buf.mul_(group["momentum"]).add_(p.grad)
                g = p.grad.add(buf, alpha=group["momentum"])
                update = ns_orthogonalize(g, group["ns_steps"])
                if dist.is_initialized():
                    # keep replicas bit-identical even if the bf16 iteration is non-deterministic
                    dist.all_reduce(update, op=dist.ReduceOp.AVG)
                p.add_(update, alpha=-group["lr"])


class CombinedOptimizer:
    def __init__(self, optimizers: List[torch.optim.Optimizer]):
        self.optimizers = optimizers
        self.param_groups = [g for o in optimizers for g in o.param_groups]

    def step(self):
        for o in self.optimizers:
            o.step()

    def zero_grad(self, **kw):
        for o in self.optimizers:
            o.zero_grad(**kw)


def build_optimizer(cfg: OptimizerConfig, model: OLMo) -> CombinedOptimizer:
    head = torch.optim.AdamW(model.ff_out_head.parameters(), lr=cfg.learning_rate, betas=cfg.betas,
                             weight_decay=cfg.weight_decay)
    blocks = PolarNesterov(model.transformer.blocks.parameters(), lr=cfg.ortho_lr_multiplier * cfg.learning_rate,
                           momentum=cfg.ortho_momentum, ns_steps=cfg.ns_steps)
    opt = CombinedOptimizer([head, blocks])
    for g in opt.param_groups:
        g["initial_lr"] = g["lr"]
    return opt


def build_scheduler(cfg: SchedulerConfig, max_steps: int):
    def factor(step: int) -> float:
        if step < cfg.t_warmup:
            return (step + 1) / cfg.t_warmup
        if step < max_steps - cfg.t_warmdown:
            return 1.0
        return (max_steps - step) / cfg.t_warmdown
    return factor


# ======================================================================= data.py
class MemMapDataset:
    def __init__(self, pattern, micro_bsz, seq_len, rank, world):
        self.paths = sorted(glob.glob(pattern))
        self.mb, self.T, self.rank, self.world = micro_bsz, seq_len, rank, world

    def __iter__(self):
        span = self.mb * self.T
        for path in self.paths:
            arr = np.memmap(path, dtype=np.uint16, mode="r", offset=1024)
            for s in range(self.rank * span, len(arr) - span - 1, self.world * span):
                t = torch.from_numpy(np.asarray(arr[s:s + span + 1], dtype=np.int64)).cuda()
                yield t[:-1].view(self.mb, self.T), t[1:].view(self.mb, self.T)


# ======================================================================= train.py
def main():
    cfg = TrainConfig.load(RUN_YAML)
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    if rank == 0:
        print(asdict(cfg))
    tc = cfg.trainer
    model = OLMo(cfg.model).cuda()
    ddp = DDP(torch.compile(model), device_ids=[int(os.environ["LOCAL_RANK"])])
    optim = build_optimizer(cfg.optimizer, model)
    lr_factor = build_scheduler(cfg.scheduler, tc.max_duration)
    accum = tc.global_train_batch_size // (tc.device_train_microbatch_size * world)
    T = cfg.model.max_sequence_length
    train_iter = iter(MemMapDataset(os.environ["NANOGPT_TRAIN_FILES"], tc.device_train_microbatch_size, T, rank, world))
    autocast = torch.autocast("cuda", dtype=torch.bfloat16)

    t0 = time.time()
    for step in range(tc.max_duration + 1):
        if step % tc.eval_interval == 0 or step == tc.max_duration:
            ddp.eval()
            n = int(os.environ["NANOGPT_VAL_TOKENS"]) // (tc.device_train_microbatch_size * T * world)
            val_iter = iter(MemMapDataset(os.environ["NANOGPT_VAL_FILES"], tc.device_train_microbatch_size, T, rank, world))
            vloss = torch.zeros((), device="cuda")
            with torch.no_grad(), autocast:
                for _ in range(n):
                    vloss += ddp(*next(val_iter)) / n
            dist.all_reduce(vloss, op=dist.ReduceOp.AVG)
            if rank == 0:
                print(f"[step={step}] eval/loss={vloss.item():.4f} time={time.time() - t0:.0f}s")
            ddp.train()
        if step == tc.max_duration:
            break
        for micro in range(accum):
            ddp.require_backward_grad_sync = micro == accum - 1
            with autocast:
                loss = ddp(*next(train_iter))
            (loss / accum).backward()
        for g in optim.param_groups:
            g["lr"] = g["initial_lr"] * lr_factor(step)
        optim.step()
        optim.zero_grad(set_to_none=True)
        if rank == 0 and step % 10 == 0:
            print(f"[step={step}] train/loss={loss.item():.4f}")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
