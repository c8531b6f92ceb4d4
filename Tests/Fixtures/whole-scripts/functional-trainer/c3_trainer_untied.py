"""
lab/train_lm.py -- research-lab style language-model trainer.

Config is split in dataclasses, the loop lives in `Trainer`, and cross-cutting behaviour
(momentum schedule, compile stance, logging) is implemented as callbacks.
Run:  torchrun --standalone --nproc_per_node=8 train_lm.py
"""
import os
os.environ["PYTORCH_CUDA_ALLOC_CONF"] = "expandable_segments:True"

import glob
import json
import time
from dataclasses import dataclass, field, asdict
from typing import List

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP


# =========================================================================== configs

@dataclass
class ModelConfig:
    vocab_size: int = 50304          # 50257 rounded up to a multiple of 128
    max_len: int = 1024
    dim: int = 768
    depth: int = 12
    n_heads: int = 12


@dataclass
class OptimConfig:
    embed_lr: float = 0.3
    readout_lr: float = 0.002
    matrix_lr: float = 0.02
    gain_lr: float = 0.02
    adam_betas: tuple = (0.9, 0.95)
    momentum_start: float = 0.85
    momentum_end: float = 0.95
    momentum_ramp: int = 500
    total_steps: int = 3200
    decay_steps: int = 914


@dataclass
class DataConfig:
    train_glob: str = os.environ.get("NANOGPT_TRAIN_FILES", "")
    val_glob: str = os.environ.get("NANOGPT_VAL_FILES", "")
    seqs_per_gpu: int = 64
    seq_len: int = 1024
    val_tokens: int = 10485760


@dataclass
class RunConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    data: DataConfig = field(default_factory=DataConfig)
    eval_every: int = 125
    out_dir: str = "runs/lab"


# =========================================================================== optimizer

def polar_factor(G, iters=5):
    """Quintic Newton-Schulz approximation of the orthogonal polar factor (bf16)."""
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    X = X / (X.norm() + 1e-7)
    transposed = G.size(0) > G.size(1)
    if transposed:
        X = X.mT
    for _ in range(iters):
        gram = X @ X.mT
        poly = torch.addmm(gram, gram, gram, beta=b, alpha=c)   # b*gram + c*gram@gram
        X = torch.addmm(X, poly, X, beta=a)                       # a*X + poly@X
    if transposed:
        X = X.mT
    return X


class SpectralMomentum(torch.optim.Optimizer):
    """Nesterov momentum whose step is replaced by its (approximate) polar factor."""

    def __init__(self, params, lr=0.02, momentum=0.95, nesterov=True, iters=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, iters=iters))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                buf = self.state[p].setdefault("buf", torch.zeros_like(g))
                buf.mul_(group["momentum"]).add_(g)
                if group["nesterov"]:
                    g = g.add(buf, alpha=group["momentum"])
                else:
                    g = buf
                update = polar_factor(g, group["iters"])
                update *= max(1.0, g.size(0) / g.size(1)) ** 0.5
                p.add_(update.to(p.dtype), alpha=-group["lr"])


# =========================================================================== model

def select_attention_kernels():
    """Pin SDPA to the cuDNN kernel (measurably faster than flash on our H100 nodes)."""
    sdp = torch.backends.cuda
    for toggle, on in ((sdp.enable_flash_sdp, False), (sdp.enable_mem_efficient_sdp, False),
                       (sdp.enable_math_sdp, False), (sdp.enable_cudnn_sdp, True)):
        toggle(on)


class Attention(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.h = cfg.n_heads
        self.wq = nn.Linear(cfg.dim, cfg.dim, bias=False)
        self.wk = nn.Linear(cfg.dim, cfg.dim, bias=False)
        self.wv = nn.Linear(cfg.dim, cfg.dim, bias=False)
        self.wo = nn.Linear(cfg.dim, cfg.dim, bias=False)

    def forward(self, x):
        B, T, D = x.shape
        split = lambda t: t.view(B, T, self.h, D // self.h).transpose(1, 2)
        y = F.scaled_dot_product_attention(split(self.wq(x)), split(self.wk(x)), split(self.wv(x)), is_causal=True)
        return self.wo(y.transpose(1, 2).reshape(B, T, D))


class Block(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.norm1 = nn.RMSNorm(cfg.dim)        # learnable per-channel gains
        self.norm2 = nn.RMSNorm(cfg.dim)
        self.attn = Attention(cfg)
        self.up = nn.Linear(cfg.dim, 4 * cfg.dim, bias=False)
        self.down = nn.Linear(4 * cfg.dim, cfg.dim, bias=False)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        x = x + self.down(F.gelu(self.up(self.norm2(x)), approximate="tanh"))
        return x


class LanguageModel(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.tok = nn.Embedding(cfg.vocab_size, cfg.dim)
        self.pos = nn.Embedding(cfg.max_len, cfg.dim)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.depth)])
        self.final_norm = nn.RMSNorm(cfg.dim)
        self.readout = nn.Linear(cfg.dim, cfg.vocab_size, bias=False)
        nn.init.zeros_(self.readout.weight)

    def forward(self, idx, targets):
        pos = torch.arange(idx.size(1), device=idx.device)
        h = self.tok(idx) + self.pos(pos)[None]
        h = F.rms_norm(h, (h.size(-1),))
        for blk in self.blocks:
            h = blk(h)
        logits = self.readout(self.final_norm(h)).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


# =========================================================================== data

class ShardStream:
    def __init__(self, pattern, B, T, rank, world):
        self.files = sorted(glob.glob(pattern))
        self.B, self.T, self.rank, self.world = B, T, rank, world
        self.reset()

    def reset(self):
        self.fidx = -1
        self._next_file()

    def _next_file(self):
        self.fidx = (self.fidx + 1) % len(self.files)
        raw = np.memmap(self.files[self.fidx], dtype=np.uint16, mode="r", offset=1024)
        self.tokens, self.cursor = raw, self.rank * self.B * self.T

    def next(self):
        span = self.B * self.T
        if self.cursor + span + 1 > len(self.tokens):
            self._next_file()
        chunk = torch.from_numpy(self.tokens[self.cursor:self.cursor + span + 1].astype(np.int64))
        self.cursor += span * self.world
        return chunk[:-1].view(self.B, self.T).cuda(), chunk[1:].view(self.B, self.T).cuda()


# =========================================================================== callbacks

class Callback:
    def on_step_start(self, trainer, step): ...
    def on_step_end(self, trainer, step, loss): ...


class MomentumRamp(Callback):
    def on_step_start(self, trainer, step):
        oc = trainer.cfg.optim
        frac = min(step / oc.momentum_ramp, 1.0)
        for g in trainer.spectral.param_groups:
            g["momentum"] = oc.momentum_start + frac * (oc.momentum_end - oc.momentum_start)


class FreezeRecompiles(Callback):
    """After warm-up, fall back to eager instead of recompiling on guard failures."""
    def on_step_start(self, trainer, step):
        if step == 5:
            torch.compiler.set_stance("eager_on_recompile")


class JsonLogger(Callback):
    def on_step_end(self, trainer, step, loss):
        if trainer.is_main:
            with open(os.path.join(trainer.cfg.out_dir, "metrics.jsonl"), "a") as f:
                f.write(json.dumps({"step": step, "loss": float(loss)}) + "\n")


# =========================================================================== trainer

class Trainer:
    def __init__(self, cfg: RunConfig, callbacks: List[Callback]):
        self.cfg, self.callbacks = cfg, callbacks
        dist.init_process_group(backend="nccl")
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        self.local_rank = int(os.environ["LOCAL_RANK"])
        torch.cuda.set_device(self.local_rank)
        self.is_main = self.rank == 0
        os.makedirs(cfg.out_dir, exist_ok=True)
        select_attention_kernels()

        self.model = LanguageModel(cfg.model).cuda()
        self.ddp = DDP(torch.compile(self.model), device_ids=[self.local_rank],
                       broadcast_buffers=False, gradient_as_bucket_view=True)
        self._build_optimizers()
        dc = cfg.data
        self.train = ShardStream(dc.train_glob, dc.seqs_per_gpu, dc.seq_len, self.rank, self.world)
        self.val = ShardStream(dc.val_glob, dc.seqs_per_gpu, dc.seq_len, self.rank, self.world)

    def _build_optimizers(self):
        oc, m = self.cfg.optim, self.model
        block_params = list(m.blocks.parameters())
        matrices = [p for p in block_params if p.ndim == 2]
        gains = [p for p in block_params if p.ndim < 2] + list(m.final_norm.parameters())
        self.optimizers = [
            torch.optim.Adam([m.tok.weight, m.pos.weight], lr=oc.embed_lr, betas=oc.adam_betas, fused=True),
            torch.optim.Adam([m.readout.weight], lr=oc.readout_lr, betas=oc.adam_betas, fused=True),
            torch.optim.Adam(gains, lr=oc.gain_lr, betas=oc.adam_betas, fused=True),
        ]
        self.spectral = SpectralMomentum(matrices, lr=oc.matrix_lr, momentum=oc.momentum_end)
        self.optimizers.append(self.spectral)

        def lr_factor(step):  # hold at 1, then linear decay to 0 over the last decay_steps
            return min(1.0, (oc.total_steps - step) / oc.decay_steps)
        self.schedulers = [torch.optim.lr_scheduler.LambdaLR(o, lr_factor) for o in self.optimizers]

    @torch.no_grad()
    def evaluate(self):
        self.ddp.eval()
        self.val.reset()
        dc = self.cfg.data
        n = dc.val_tokens // (dc.seqs_per_gpu * dc.seq_len * self.world)
        total = torch.zeros((), device="cuda")
        with torch.autocast("cuda", dtype=torch.bfloat16):
            for _ in range(n):
                total += self.ddp(*self.val.next())
        dist.all_reduce(total, op=dist.ReduceOp.AVG)
        self.ddp.train()
        return (total / n).item()

    def fit(self):
        oc = self.cfg.optim
        dc = self.cfg.data
        assert dc.seqs_per_gpu * dc.seq_len * self.world == 524288
        t0 = time.perf_counter()
        for step in range(oc.total_steps + 1):
            if step % self.cfg.eval_every == 0 or step == oc.total_steps:
                vl = self.evaluate()
                if self.is_main:
                    print(f"step {step} val_loss {vl:.4f} time {time.perf_counter() - t0:.1f}s")
            if step == oc.total_steps:
                break
            for cb in self.callbacks:
                cb.on_step_start(self, step)
            x, y = self.train.next()
            with torch.autocast("cuda", dtype=torch.bfloat16):
                loss = self.ddp(x, y)
            loss.backward()
            for opt, sch in zip(self.optimizers, self.schedulers):
                opt.step()
                sch.step()
            self.ddp.zero_grad(set_to_none=True)
            for cb in self.callbacks:
                cb.on_step_end(self, step, loss.detach())
        if self.is_main:
            with open(os.path.join(self.cfg.out_dir, "config.json"), "w") as f:
                json.dump(asdict(self.cfg), f, indent=2)
        dist.destroy_process_group()


if __name__ == "__main__":
    Trainer(RunConfig(), callbacks=[MomentumRamp(), FreezeRecompiles(), JsonLogger()]).fit()
