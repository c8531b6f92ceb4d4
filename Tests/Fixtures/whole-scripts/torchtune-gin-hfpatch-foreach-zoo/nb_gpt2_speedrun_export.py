# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (torch 2.5)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # GPT-2 small on FineWeb-10B: experiment notebook
#
# Exported from `gpt2_experiments.ipynb`. Cells are meant to be run top to bottom;
# a few later cells deliberately overwrite values from earlier ones (see "Sweep results").
#
# Environment used for the numbers below: torch 2.5.0 + CUDA 12.4, 8x H100.

# %%
# # !pip install -q torch==2.5.0 --index-url https://download.pytorch.org/whl/cu124
# # !pip install -q numpy tqdm

# %%
import os
os.environ.setdefault("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True")

import glob
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

REQUIRED_TORCH = "2.5.0"
assert torch.__version__.split("+")[0] == REQUIRED_TORCH, f"notebook pinned to torch {REQUIRED_TORCH}"
print(torch.__version__, torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu")

# %% [markdown]
# ## Hyperparameters (initial values)

# %%
DATA_DIR = "./fineweb10B"
VOCAB_SIZE = 50304          # 50257 padded up to a multiple of 128
N_LAYER, N_HEAD, N_EMBD = 12, 12, 768
B, T = 64, 1024             # per-device micro batch
TOTAL_BATCH_TOKENS = 524288 # 512 sequences x 1024 tokens per optimizer step
NUM_ITERS = 9536
LEARNING_RATE = 0.0015
WARMUP_ITERS = 0
WARMDOWN_ITERS = 2000
WEIGHT_DECAY = 0.1
VAL_EVERY = 250
VAL_TOKENS = 10_485_760

# %% [markdown]
# ## Distributed setup (works as a plain single-GPU notebook too)

# %%
import torch.distributed as dist

DDP_ON = int(os.environ.get("RANK", -1)) != -1
if DDP_ON:
    dist.init_process_group("nccl")
    RANK, WORLD = dist.get_rank(), dist.get_world_size()
    LOCAL = int(os.environ["LOCAL_RANK"])
else:
    RANK, WORLD, LOCAL = 0, 1, 0
device = f"cuda:{LOCAL}"
torch.cuda.set_device(device)
GRAD_ACCUM = TOTAL_BATCH_TOKENS // (B * T * WORLD)
print("grad accumulation steps:", GRAD_ACCUM)

# %% [markdown]
# ## Model

# %%
def rmsnorm(x, eps=1e-6):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)


class RoPE(nn.Module):
    def __init__(self, head_dim, base=10000):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / (base ** (torch.arange(0, head_dim, 2).float() / head_dim)))

    def forward(self, T, device):
        t = torch.arange(T, device=device).float()
        fr = torch.outer(t, self.inv_freq)
        return fr.cos()[None, :, None, :].bfloat16(), fr.sin()[None, :, None, :].bfloat16()


def rope_apply(x, cos, sin):
    d = x.shape[-1] // 2
    x1, x2 = x[..., :d], x[..., d:]
    return torch.cat([x1 * cos + x2 * sin, -x1 * sin + x2 * cos], dim=-1)


# %%
class ValueTables(nn.Module):
    """Three token -> value lookup tables, used by the first three and last three layers."""

    def __init__(self, vocab, dim, n_layer, n_tables=3):
        super().__init__()
        self.n_layer, self.n_tables = n_layer, n_tables
        self.tables = nn.ModuleList([nn.Embedding(vocab, dim) for _ in range(n_tables)])

    def forward(self, idx):
        ve = [tbl(idx) for tbl in self.tables]
        middle = [None] * (self.n_layer - 2 * self.n_tables)
        return ve + middle + ve


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.hd = N_EMBD // N_HEAD
        self.c_q = nn.Linear(N_EMBD, N_EMBD, bias=False)
        self.c_k = nn.Linear(N_EMBD, N_EMBD, bias=False)
        self.c_v = nn.Linear(N_EMBD, N_EMBD, bias=False)
        self.c_proj = nn.Linear(N_EMBD, N_EMBD, bias=False)
        self.rope = RoPE(self.hd)
        self.lambdas = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, x, ve):
        b, t, c = x.shape
        q = self.c_q(x).view(b, t, N_HEAD, self.hd)
        k = self.c_k(x).view(b, t, N_HEAD, self.hd)
        v = self.c_v(x).view(b, t, N_HEAD, self.hd)
        if ve is not None:
            v = self.lambdas[0] * v + self.lambdas[1] * ve.view_as(v)
        else:
            v = self.lambdas[0] * v
        cos, sin = self.rope(t, x.device)
        q, k = rope_apply(q, cos, sin), rope_apply(k, cos, sin)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.c_proj(y.transpose(1, 2).contiguous().view(b, t, c))


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_fc = nn.Linear(N_EMBD, 4 * N_EMBD, bias=False)
        self.c_proj = nn.Linear(4 * N_EMBD, N_EMBD, bias=False)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = Attention()
        self.mlp = MLP()
        self.attn_scale = 1 / (2 * N_LAYER) ** 0.5

    def forward(self, x, ve):
        x = x + self.attn_scale * self.attn(rmsnorm(x), ve)
        x = x + self.mlp(rmsnorm(x))
        return x


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(VOCAB_SIZE, N_EMBD)
        self.value_tables = ValueTables(VOCAB_SIZE, N_EMBD, N_LAYER)
        self.h = nn.ModuleList([Block() for _ in range(N_LAYER)])
        self.lm_head = nn.Linear(N_EMBD, VOCAB_SIZE, bias=False)
        self.wte.weight = self.lm_head.weight

    def forward(self, idx, targets=None):
        x = self.wte(idx)
        ves = self.value_tables(idx)
        for blk, ve in zip(self.h, ves):
            x = blk(x, ve)
        logits = self.lm_head(rmsnorm(x))
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

# %%
# Gemma-2 style capping we tried briefly; kept here for reference
def softcap(logits, cap=30.0):
    return cap * torch.tanh(logits / cap)

# %% [markdown]
# ## Data

# %%
def load_tokens(path):
    header = np.fromfile(path, dtype=np.int32, count=256)
    assert header[0] == 20240520, "magic number mismatch"
    return np.fromfile(path, dtype=np.uint16, offset=1024)[: header[2]]


class Loader:
    def __init__(self, split):
        self.files = sorted(glob.glob(os.path.join(DATA_DIR, f"fineweb_{split}_*.bin")))
        self.reset()

    def reset(self):
        self.fi = 0
        self.tokens = load_tokens(self.files[0])
        self.pos = RANK * B * T

    def next(self):
        buf = self.tokens[self.pos:self.pos + B * T + 1]
        buf = torch.tensor(buf.astype(np.int64))
        x, y = buf[:-1].view(B, T), buf[1:].view(B, T)
        self.pos += B * T * WORLD
        if self.pos + B * T * WORLD + 1 > len(self.tokens):
            self.fi = (self.fi + 1) % len(self.files)
            self.tokens = load_tokens(self.files[self.fi])
            self.pos = RANK * B * T
        return x.to(device), y.to(device)


train_loader = Loader("train")
val_loader = Loader("val")

# %% [markdown]
# ## Sweep results
# The LR sweep (0.0012 / 0.0015 / 0.0018 / 0.0021) favoured 0.0018, and a short
# warmup was more stable than none. Override the values from the first cell.

# %%
LEARNING_RATE = 0.0018
WARMUP_ITERS = 256

# %% [markdown]
# ## Model + optimizer

# %%
model = GPT().to(device)
raw_model = model
model = torch.compile(model)
if DDP_ON:
    from torch.nn.parallel import DistributedDataParallel as DDP
    model = DDP(model, device_ids=[LOCAL])

optimizer = torch.optim.AdamW(
    raw_model.parameters(), lr=LEARNING_RATE, betas=(0.9, 0.95), weight_decay=WEIGHT_DECAY, fused=True
)


def get_lr(it):
    # trapezoid: linear warmup, flat, linear warmdown to zero
    if it < WARMUP_ITERS:
        return LEARNING_RATE * (it + 1) / WARMUP_ITERS
    if it < NUM_ITERS - WARMDOWN_ITERS:
        return LEARNING_RATE
    return LEARNING_RATE * (NUM_ITERS - it) / WARMDOWN_ITERS

# %%
# quick sanity plot values of the schedule (no matplotlib needed)
for probe in (0, 128, 256, 5000, NUM_ITERS - WARMDOWN_ITERS, NUM_ITERS - 1):
    print(f"lr@{probe:5d} = {get_lr(probe):.6f}")

# %% [markdown]
# ## Train

# %%
def evaluate():
    model.eval()
    val_loader.reset()
    n = VAL_TOKENS // (B * T * WORLD)
    tot = torch.zeros((), device=device)
    with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
        for _ in range(n):
            xv, yv = val_loader.next()
            tot += model(xv, yv)
    tot /= n
    if DDP_ON:
        dist.all_reduce(tot, op=dist.ReduceOp.AVG)
    model.train()
    return tot.item()

# %%
history = []
t_start = time.time()
for it in range(NUM_ITERS + 1):
    if it % VAL_EVERY == 0 or it == NUM_ITERS:
        vl = evaluate()
        history.append((it, vl))
        if RANK == 0:
            print(f"it {it:5d} | val {vl:.4f} | {time.time() - t_start:.0f}s")
    if it == NUM_ITERS:
        break
    for micro in range(GRAD_ACCUM):
        x, y = train_loader.next()
        if DDP_ON:
            model.require_backward_grad_sync = micro == GRAD_ACCUM - 1
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = model(x, y) / GRAD_ACCUM
        loss.backward()
    # unit-normalize each parameter's gradient instead of global clipping
    for p in raw_model.parameters():
        if p.grad is not None:
            p.grad = p.grad / (p.grad.norm() + 1e-6)
    for g in optimizer.param_groups:
        g["lr"] = get_lr(it)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    if RANK == 0 and it % 20 == 0:
        print(f"it {it:5d} | loss {loss.item() * GRAD_ACCUM:.4f} | lr {get_lr(it):.2e}")

# %%
if RANK == 0:
    best = min(history, key=lambda h: h[1])
    print("best val loss", best)
if DDP_ON:
    dist.destroy_process_group()
