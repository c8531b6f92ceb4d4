"""GPT pretraining driven by a DeepSpeed-style engine.

    engine, optimizer, _, scheduler = initialize(model=model, optimizer=opt,
                                                 lr_scheduler=sched, config=DS_CONFIG)

If `deepspeed` is importable we use it; otherwise a small local engine with the
same surface (backward / step / train_micro_batch_size_per_gpu) is used.
"""
import glob
import math
import os

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

WORLD = int(os.environ.get("WORLD_SIZE", "8"))
BASE_LR = 0.0036

DS_CONFIG = {
    "train_micro_batch_size_per_gpu": 16,
    "gradient_accumulation_steps": 4,
    "train_batch_size": 16 * 4 * WORLD,  # sequences of 1024 tokens per optimizer step
    "bf16": {"enabled": True},
    "gradient_clipping": 0.0,
    "steps_per_print": 10,
    "optimizer": {
        "type": "AdamW",
        "params": {"lr": BASE_LR, "betas": [0.9, 0.95], "eps": 1e-8, "weight_decay": 0.0},
    },
    "scheduler": {
        "type": "WarmupStableDecay",
        "params": {"total_num_steps": 5100, "warmup_num_steps": 0, "decay_num_steps": 1450},
    },
    "custom": {"per_tensor_clip": 1.0, "seq_len": 1024, "n_layer": 12, "n_head": 12, "n_embd": 768},
}

try:
    import deepspeed
    initialize = deepspeed.initialize
except ImportError:  # ------------------------------------------------- fallback engine
    class _Engine:
        def __init__(self, model, optimizer, lr_scheduler, config):
            self.module, self.optimizer, self.lr_scheduler, self.config = model, optimizer, lr_scheduler, config
            self.gas = config["gradient_accumulation_steps"]
            self.micro_steps, self.global_steps = 0, 0

        def __call__(self, *a, **k):
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=self.config["bf16"]["enabled"]):
                return self.module(*a, **k)

        def train_micro_batch_size_per_gpu(self):
            return self.config["train_micro_batch_size_per_gpu"]

        def backward(self, loss):
            (loss / self.gas).backward()
            self.micro_steps += 1

        def is_gradient_accumulation_boundary(self):
            return self.micro_steps % self.gas == 0

        def step(self):
            if not self.is_gradient_accumulation_boundary():
                return
            if dist.is_initialized():
                for p in self.module.parameters():
                    if p.grad is not None:
                        dist.all_reduce(p.grad, op=dist.ReduceOp.AVG)
            clip = self.config["custom"]["per_tensor_clip"]
            if clip:
                for p in self.module.parameters():
                    if p.grad is not None:
                        torch.nn.utils.clip_grad_norm_([p], max_norm=clip)
            self.optimizer.step()
            self.optimizer.zero_grad(set_to_none=True)
            if self.lr_scheduler is not None:
                self.lr_scheduler.step()
            self.global_steps += 1

    def initialize(model=None, optimizer=None, lr_scheduler=None, config=None, **_):
        eng = _Engine(model, optimizer, lr_scheduler, config)
        return eng, optimizer, None, lr_scheduler


# ------------------------------------------------------------------ model
class Rotary(nn.Module):
    def __init__(self, dim, base=10000):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / base ** (torch.arange(0, dim, 2).float() / dim), persistent=False)

    def forward(self, x):  # (B, T, H, D)
        t = torch.arange(x.shape[1], device=x.device, dtype=torch.float32)
        f = torch.einsum("t,f->tf", t, self.inv_freq)
        cos, sin = f.cos()[None, :, None, :].to(x.dtype), f.sin()[None, :, None, :].to(x.dtype)
        x1, x2 = x.chunk(2, dim=-1)
        return torch.cat([x1 * cos + x2 * sin, x2 * cos - x1 * sin], dim=-1)


class Attention(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.c_attn = nn.Linear(d, 3 * d, bias=False)  # weight: (3d, d)
        self.c_proj = nn.Linear(d, d, bias=False)
        self.rotary = Rotary(d // h)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).view(B, T, 3, self.h, C // self.h).unbind(dim=2)
        q, k = self.rotary(q), self.rotary(k)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.attn = Attention(d, h)
        self.fc = nn.Linear(d, 4 * d, bias=False)
        self.proj = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        x = x + self.attn(F.rms_norm(x, x.shape[-1:]))
        return x + self.proj(F.gelu(self.fc(F.rms_norm(x, x.shape[-1:]))))


class GPT(nn.Module):
    def __init__(self, vocab, d, h, L):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.h = nn.ModuleList(Block(d, h) for _ in range(L))
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.wte.weight = self.lm_head.weight  # tied
        nn.init.normal_(self.lm_head.weight, std=0.02)

    def forward(self, idx, targets):
        x = self.wte(idx)
        for blk in self.h:
            x = blk(x)
        logits = self.lm_head(F.rms_norm(x, x.shape[-1:])).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


# ------------------------------------------------------------------ optimizer
def quintic_ns(G, steps=5, eps=1e-7):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    X = X / (X.norm() + eps)
    swap = G.size(0) > G.size(1)
    if swap:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    return X.T if swap else X


class SpectralNesterov(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.95, steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, steps=steps))

    @torch.no_grad()
    def step(self, closure=None):
        for grp in self.param_groups:
            for p in grp["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                buf = st.get("buf")
                if buf is None:
                    buf = st["buf"] = torch.zeros_like(p.grad)
                buf.mul_(grp["momentum"]).add_(p.grad)
                g = p.grad.add(buf, alpha=grp["momentum"])
                rows, cols = g.shape
                if rows == 3 * cols:  # fused q/k/v: treat the three square blocks separately
                    g = torch.cat([quintic_ns(blk, grp["steps"]) for blk in g.split(cols, dim=0)], dim=0)
                    scale = math.sqrt(cols)
                else:
                    g = quintic_ns(g, grp["steps"])
                    scale = math.sqrt(max(rows, cols))
                p.add_(g.to(p.dtype), alpha=-grp["lr"] * scale)


class ChainedOptimizer:
    def __init__(self, *opts):
        self.opts = opts
        self.param_groups = [g for o in opts for g in o.param_groups]

    def step(self):
        for o in self.opts:
            o.step()

    def zero_grad(self, set_to_none=True):
        for o in self.opts:
            o.zero_grad(set_to_none=set_to_none)


def wsd_lambda(total_num_steps, warmup_num_steps, decay_num_steps):
    stable_end = total_num_steps - decay_num_steps
    return lambda s: (s + 1) / warmup_num_steps if s < warmup_num_steps else (
        1.0 if s < stable_end else max(0.0, (total_num_steps - s) / decay_num_steps))


# ------------------------------------------------------------------ data
def shard_batches(pattern, micro_bs, seq_len, rank, world):
    for path in sorted(glob.glob(pattern)):
        toks = np.memmap(path, dtype=np.uint16, mode="r", offset=1024)
        step = micro_bs * seq_len
        for off in range(rank * step, len(toks) - step - 1, world * step):
            arr = torch.from_numpy(toks[off:off + step + 1].astype(np.int64))
            yield arr[:-1].view(micro_bs, seq_len), arr[1:].view(micro_bs, seq_len)


def main():
    rank = int(os.environ.get("RANK", 0))
    if WORLD > 1 and "RANK" in os.environ:
        dist.init_process_group("nccl")
    torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
    cc = DS_CONFIG["custom"]
    model = GPT(50257, cc["n_embd"], cc["n_head"], cc["n_layer"]).cuda()

    op = DS_CONFIG["optimizer"]["params"]
    adamw = torch.optim.AdamW([model.lm_head.weight], lr=op["lr"], betas=tuple(op["betas"]), eps=op["eps"],
                              weight_decay=op["weight_decay"], fused=True)
    hidden = [p for p in model.h.parameters() if p.ndim == 2]
    spectral = SpectralNesterov(hidden, lr=0.1 * BASE_LR, momentum=0.95)
    optimizer = ChainedOptimizer(adamw, spectral)
    sp = DS_CONFIG["scheduler"]["params"]
    lam = wsd_lambda(sp["total_num_steps"], sp["warmup_num_steps"], sp["decay_num_steps"])
    schedulers = [torch.optim.lr_scheduler.LambdaLR(o, lam) for o in (adamw, spectral)]

    class _SchedGroup:
        def step(self):
            for s in schedulers:
                s.step()

    engine, optimizer, _, _ = initialize(model=model, optimizer=optimizer, lr_scheduler=_SchedGroup(),
                                         config=DS_CONFIG)
    data = shard_batches("data/fineweb10B/fineweb_train_*.bin", engine.train_micro_batch_size_per_gpu(),
                         cc["seq_len"], rank, WORLD)
    total_micro = sp["total_num_steps"] * DS_CONFIG["gradient_accumulation_steps"]
    for micro in range(total_micro):
        x, y = next(data)
        loss = engine(x.cuda(non_blocking=True), y.cuda(non_blocking=True))
        engine.backward(loss)
        engine.step()
        if rank == 0 and micro % (DS_CONFIG["steps_per_print"] * DS_CONFIG["gradient_accumulation_steps"]) == 0:
            print(f"[Rank 0] global_step={micro // DS_CONFIG['gradient_accumulation_steps']} loss={loss.item():.4f}")


if __name__ == "__main__":
    main()
