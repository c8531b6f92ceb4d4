"""
DeepSpeed-flavoured GPT trainer.

All run-time knobs live in ``ds_config`` (same layout as a DeepSpeed JSON
config: optimizer / scheduler / bf16 / gradient_accumulation_steps ...) plus a
couple of extra sections (``muon``, ``attention``, ``data``) that the small
engine below understands. A JSON file can be given with --deepspeed_config to
replace the built-in defaults.

    torchrun --nproc_per_node=8 deepspeed_style_gpt.py
"""
import argparse
import copy
import glob
import json
import os
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.nn.attention.flex_attention import flex_attention, create_block_mask

flex_attention = torch.compile(flex_attention, dynamic=False)

DEFAULT_DS_CONFIG = {
    "train_micro_batch_size_per_gpu": 1,
    "gradient_accumulation_steps": 1,
    "tokens_per_step": 524288,
    "steps_per_print": 25,
    "wall_clock_breakdown": False,
    "bf16": {"enabled": True},
    "zero_optimization": {"stage": 0},
    "gradient_clipping": 0.0,
    "optimizer": {
        "type": "AdamW",
        "params": {
            "lr": 0.004,
            "betas": [0.8, 0.95],
            "eps": 1e-8,
            "weight_decay": 0.1,
            "fused": False,
        },
    },
    "muon": {
        "lr": 0.05,
        "momentum": 0.95,
        "nesterov": True,
        "ns_steps": 5,
        "momentum_warmup": {"start": 0.85, "num_steps": 500},
    },
    "scheduler": {
        "type": "WarmupDecayLR",
        "params": {
            "warmup_min_lr": 0.0,
            "warmup_num_steps": 300,
            "total_num_steps": 1750,
            "warmup_type": "linear",
        },
    },
    "model": {
        "vocab_size": 50257,
        "n_layer": 12,
        "n_head": 12,
        "n_embd": 768,
        "rope_base": 10000.0,
    },
    "attention": {
        "impl": "flex",
        "sdpa_backend": "flash",
        "eot_token": 50256,
        "window": {"start": 64, "end": 1792, "multiple": 64},
        "window_pattern": ["long"] * 12,
    },
    "data": {
        "train_files": "data/fineweb10B/fineweb_train_*.bin",
        "val_files": "data/fineweb10B/fineweb_val_*.bin",
        "seq_len": 64 * 1024,
        "val_tokens": 10485760,
        "val_every": 125,
    },
}


# ----------------------------------------------------------------------------- model

class Rotary(nn.Module):
    def __init__(self, dim, base=10000.0):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim)), persistent=False)
        self.cached_len = 0

    def forward(self, x):
        T = x.shape[-2]
        if T != self.cached_len:
            t = torch.arange(T, device=x.device).float()
            freqs = torch.outer(t, self.inv_freq)
            self.cos, self.sin = freqs.cos().bfloat16(), freqs.sin().bfloat16()
            self.cached_len = T
        return self.cos[None, None], self.sin[None, None]


def rotate(x, cos, sin):
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos + x2 * sin, -x1 * sin + x2 * cos], dim=-1).type_as(x)


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, h = cfg["n_embd"], cfg["n_head"]
        self.h, self.hd = h, d // h
        self.wq = nn.Linear(d, d, bias=False)
        self.wk = nn.Linear(d, d, bias=False)
        self.wv = nn.Linear(d, d, bias=False)
        self.wo = nn.Linear(d, d, bias=False)
        self.rotary = Rotary(self.hd, cfg["rope_base"])

    def forward(self, x, block_mask):
        B, T, C = x.shape
        assert B == 1, "flex path expects one packed sequence"
        q = self.wq(x).view(B, T, self.h, self.hd).transpose(1, 2)
        k = self.wk(x).view(B, T, self.h, self.hd).transpose(1, 2)
        v = self.wv(x).view(B, T, self.h, self.hd).transpose(1, 2)
        cos, sin = self.rotary(q)
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        y = flex_attention(q, k, v, block_mask=block_mask)
        return self.wo(y.transpose(1, 2).contiguous().view(B, T, C))


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["n_embd"]
        self.fc = nn.Linear(d, 4 * d, bias=False)
        self.proj = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        return self.proj(F.gelu(self.fc(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attn = Attention(cfg)
        self.mlp = MLP(cfg)

    def forward(self, x, block_mask):
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)), block_mask)
        x = x + self.mlp(F.rms_norm(x, (x.size(-1),)))
        return x


class GPT(nn.Module):
    def __init__(self, cfg, window_pattern):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg["vocab_size"], cfg["n_embd"])
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg["n_layer"])])
        self.lm_head = nn.Linear(cfg["n_embd"], cfg["vocab_size"], bias=False)
        self.lm_head.weight = self.wte.weight
        self.window_pattern = list(window_pattern)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)

    def forward(self, idx, targets, masks):
        x = self.wte(idx[None])
        for i, block in enumerate(self.blocks):
            x = block(x, masks[self.window_pattern[i]])
        x = F.rms_norm(x, (x.size(-1),))
        logits = self.lm_head(x)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


# ----------------------------------------------------------------------------- muon

def _ns5(G, steps):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + 1e-7)
    tall = G.size(0) > G.size(1)
    if tall:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    return X.T if tall else X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum, nesterov=True, ns_steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = torch.zeros_like(g)
                buf = state["momentum_buffer"]
                buf.mul_(group["momentum"]).add_(g)
                g = g.add(buf, alpha=group["momentum"]) if group["nesterov"] else buf
                p.add_(_ns5(g, group["ns_steps"]).type_as(p), alpha=-group["lr"])


# ----------------------------------------------------------------------------- scheduler

class WarmupDecayLR:
    """Linear warmup to the base lr, then linear decay to zero at total_num_steps."""

    def __init__(self, optimizers, warmup_min_lr, warmup_num_steps, total_num_steps, warmup_type="linear"):
        assert warmup_type == "linear"
        self.optimizers = optimizers
        self.min_lr = warmup_min_lr
        self.warmup = warmup_num_steps
        self.total = total_num_steps
        for opt in optimizers:
            for g in opt.param_groups:
                g.setdefault("base_lr", g["lr"])
        self.last_step = 0

    def factor(self, step):
        if step < self.warmup:
            return step / max(1, self.warmup)
        return max(0.0, (self.total - step) / max(1, self.total - self.warmup))

    def step(self, step):
        self.last_step = step
        f = self.factor(step)
        for opt in self.optimizers:
            for g in opt.param_groups:
                g["lr"] = self.min_lr + (g["base_lr"] - self.min_lr) * f


# ----------------------------------------------------------------------------- engine

class MiniEngine:
    def __init__(self, model, ds_config, rank, local_rank, world_size):
        self.cfg = ds_config
        self.rank, self.world_size = rank, world_size
        self.device = torch.device("cuda", local_rank)
        self.global_steps = 0
        self.module = model.to(self.device)
        if ds_config["bf16"]["enabled"]:
            self.autocast = lambda: torch.autocast("cuda", dtype=torch.bfloat16)
        else:
            self.autocast = lambda: torch.autocast("cuda", enabled=False)

        backend = ds_config["attention"]["sdpa_backend"]
        torch.backends.cuda.enable_flash_sdp(backend == "flash")
        torch.backends.cuda.enable_cudnn_sdp(backend == "cudnn")
        torch.backends.cuda.enable_mem_efficient_sdp(backend == "mem_efficient")
        torch.backends.cuda.enable_math_sdp(backend == "math")

        opt_cfg = ds_config["optimizer"]
        assert opt_cfg["type"] == "AdamW"
        op = opt_cfg["params"]
        embed = [model.wte.weight]
        matrices = [p for p in model.blocks.parameters() if p.ndim == 2]
        self.adam = torch.optim.AdamW(
            embed, lr=op["lr"], betas=tuple(op["betas"]), eps=op["eps"],
            weight_decay=op["weight_decay"], fused=op["fused"],
        )
        mc = ds_config["muon"]
        self.muon = Muon(matrices, lr=mc["lr"], momentum=mc["momentum"], nesterov=mc["nesterov"],
                         ns_steps=mc["ns_steps"])
        self.optimizers = [self.adam, self.muon]
        sc = ds_config["scheduler"]
        assert sc["type"] == "WarmupDecayLR"
        self.lr_scheduler = WarmupDecayLR(self.optimizers, **sc["params"])

        self.ddp = DDP(self.module, device_ids=[local_rank])
        self.model = torch.compile(self.ddp)

        att = ds_config["attention"]
        self.eot = att["eot_token"]
        self.win_start, self.win_end, self.win_mult = att["window"]["start"], att["window"]["end"], att["window"]["multiple"]
        self.total_steps = sc["params"]["total_num_steps"]

    # --- attention masks -----------------------------------------------------
    def window_size(self, step):
        frac = step / self.total_steps
        span = self.win_end - self.win_start
        return self.win_mult * int((frac * span + self.win_start) // self.win_mult)

    def build_masks(self, idx, window):
        docs = (idx == self.eot).cumsum(0)
        win = torch.tensor(window, dtype=torch.int, device=idx.device)
        half = torch.tensor(max(self.win_mult, window // 2), dtype=torch.int, device=idx.device)

        def doc_causal_window(b, h, q_idx, kv_idx):
            causal = q_idx >= kv_idx
            same_doc = docs[q_idx] == docs[kv_idx]
            in_window = q_idx - kv_idx < win
            return causal & same_doc & in_window

        def doc_causal_half_window(b, h, q_idx, kv_idx):
            return (q_idx >= kv_idx) & (docs[q_idx] == docs[kv_idx]) & (q_idx - kv_idx < half)

        T = len(idx)
        long_mask = create_block_mask(doc_causal_window, None, None, T, T, device=idx.device, _compile=True)
        short_mask = create_block_mask(doc_causal_half_window, None, None, T, T, device=idx.device, _compile=True)
        return {"long": long_mask, "short": short_mask}

    # --- train API -------------------------------------------------------------
    def forward(self, idx, targets):
        masks = self.build_masks(idx, self.window_size(self.global_steps))
        with self.autocast():
            return self.model(idx, targets, masks)

    def backward(self, loss):
        loss.backward()

    def step(self):
        mw = self.cfg["muon"]["momentum_warmup"]
        frac = min(self.global_steps / mw["num_steps"], 1.0)
        for g in self.muon.param_groups:
            g["momentum"] = (1 - frac) * mw["start"] + frac * self.cfg["muon"]["momentum"]
        self.lr_scheduler.step(self.global_steps)
        for opt in self.optimizers:
            opt.step()
        self.ddp.zero_grad(set_to_none=True)
        self.global_steps += 1

    def eval_loss(self, idx, targets):
        masks = self.build_masks(idx, self.window_size(self.global_steps))
        with torch.no_grad(), self.autocast():
            return self.model(idx, targets, masks)


def initialize(model, config, rank, local_rank, world_size):
    engine = MiniEngine(model, config, rank, local_rank, world_size)
    return engine, engine.optimizers, None, engine.lr_scheduler


# ----------------------------------------------------------------------------- data

def load_shard(path):
    header = np.fromfile(path, dtype=np.int32, count=256)
    assert header[0] == 20240520 and header[1] == 1
    ntok = int(header[2])
    toks = np.fromfile(path, dtype=np.uint16, offset=256 * 4, count=ntok)
    return torch.from_numpy(toks.astype(np.int32))


class StreamLoader:
    def __init__(self, pattern, seq_len, rank, world_size):
        self.files = sorted(glob.glob(pattern))
        self.T, self.rank, self.world = seq_len, rank, world_size
        self.reset()

    def reset(self):
        self.fidx, self.pos = 0, 0
        self.tokens = load_shard(self.files[0])

    def next(self, device):
        span = self.T * self.world
        if self.pos + span + 1 > len(self.tokens):
            self.fidx = (self.fidx + 1) % len(self.files)
            self.tokens, self.pos = load_shard(self.files[self.fidx]), 0
        start = self.pos + self.rank * self.T
        buf = self.tokens[start : start + self.T + 1].to(device)
        self.pos += span
        return buf[:-1], buf[1:].long()


# ----------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deepspeed_config", type=str, default=None)
    ap.add_argument("--local_rank", type=int, default=int(os.environ.get("LOCAL_RANK", 0)))
    args = ap.parse_args()

    ds_config = copy.deepcopy(DEFAULT_DS_CONFIG)
    if args.deepspeed_config:
        with open(args.deepspeed_config) as f:
            user = json.load(f)
        for k, v in user.items():
            if isinstance(v, dict) and isinstance(ds_config.get(k), dict):
                ds_config[k].update(v)
            else:
                ds_config[k] = v

    dist.init_process_group(backend="nccl")
    rank, world_size = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(args.local_rank)
    master = rank == 0

    dcfg = ds_config["data"]
    T = dcfg["seq_len"]
    assert T * world_size * ds_config["gradient_accumulation_steps"] == ds_config["tokens_per_step"] or world_size != 8

    model = GPT(ds_config["model"], ds_config["attention"]["window_pattern"])
    engine, _, _, _ = initialize(model, ds_config, rank, args.local_rank, world_size)

    train = StreamLoader(dcfg["train_files"], T, rank, world_size)
    val = StreamLoader(dcfg["val_files"], T, rank, world_size)
    val_steps = dcfg["val_tokens"] // (T * world_size)
    total = ds_config["scheduler"]["params"]["total_num_steps"]

    t0 = time.perf_counter()
    for step in range(total + 1):
        if step % dcfg["val_every"] == 0 or step == total:
            val.reset()
            vloss = torch.zeros((), device=engine.device)
            for _ in range(val_steps):
                x, y = val.next(engine.device)
                vloss += engine.eval_loss(x, y)
            dist.all_reduce(vloss, op=dist.ReduceOp.AVG)
            if master:
                print(f"step:{step}/{total} val_loss:{vloss.item() / val_steps:.4f} "
                      f"train_time:{time.perf_counter() - t0:.0f}s window:{engine.window_size(step)}")
        if step == total:
            break
        for _ in range(ds_config["gradient_accumulation_steps"]):
            x, y = train.next(engine.device)
            loss = engine.forward(x, y)
            engine.backward(loss)
        engine.step()
        if master and step % ds_config["steps_per_print"] == 0:
            print(f"step:{step + 1}/{total} loss:{loss.item():.4f}")

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
