# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (torch)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # speedrun scratchpad — long packed sequences, manual grad sync
#
# Exported from `scratch_0117.ipynb`. Run top to bottom with
# `torchrun --nproc_per_node=8 notebook_export_gpt.py`.
# Earlier experiments are kept in place; later cells override them.

# %%
import glob
import math
import os
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

torch.backends.cuda.matmul.allow_tf32 = True

# %%
DATA_DIR = "data/fineweb10B"
VOCAB = 50257
D_MODEL = 768
N_LAYER = 12
N_HEAD = 12
TRAIN_SEQ_LEN = 64 * 1024
VAL_SEQ_LEN = 4 * 64 * 1024
NUM_ITERS = 1393
VAL_EVERY = 125
VAL_TOKENS = 10485760
ADAM_LR = 0.008
MUON_LR = 0.02
MOMENTUM_WARMUP_STEPS = 500
WARMUP_ITERS = 100
RUN_SANITY = False

# %%
rank = int(os.environ.get("RANK", 0))
world_size = int(os.environ.get("WORLD_SIZE", 1))
local_rank = int(os.environ.get("LOCAL_RANK", 0))
dist.init_process_group(backend="nccl")
torch.cuda.set_device(local_rank)
device = torch.device("cuda", local_rank)
MASTER = rank == 0
print(f"rank {rank}/{world_size} on {device}")

# %% [markdown]
# ## data

# %%
def load_shard(path):
    header = np.fromfile(path, dtype=np.int32, count=256)
    assert header[0] == 20240520, "bad magic"
    ntok = int(header[2])
    return np.fromfile(path, dtype=np.uint16, offset=1024, count=ntok)


def token_stream(pattern, seq_len):
    files = sorted(glob.glob(pattern))
    while True:
        for f in files:
            tok = load_shard(f)
            span = seq_len * world_size
            pos = 0
            while pos + span + 1 <= len(tok):
                s = pos + rank * seq_len
                buf = torch.from_numpy(tok[s : s + seq_len + 1].astype(np.int64)).to(device)
                yield buf[:-1].to(torch.int32), buf[1:]
                pos += span


# %% [markdown]
# ## model

# %%
class CastedLinear(nn.Linear):
    def __init__(self, in_features, out_features):
        super().__init__(in_features, out_features, bias=False)

    def reset_parameters(self):
        std = 0.5 * (self.in_features ** -0.5)
        bound = (3 ** 0.5) * std
        with torch.no_grad():
            self.weight.uniform_(-bound, bound)

    def forward(self, x):
        return F.linear(x, self.weight.type_as(x))


def norm(x):
    return F.rms_norm(x, (x.size(-1),))


class Rotary(nn.Module):
    def __init__(self, dim, max_len):
        super().__init__()
        inv_freq = 1.0 / (10000 ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim))
        t = torch.arange(max_len, dtype=torch.float32)
        theta = torch.outer(t, inv_freq)
        self.register_buffer("cos", theta.cos(), persistent=False)
        self.register_buffer("sin", theta.sin(), persistent=False)

    def forward(self, x):  # (B, T, H, D)
        T = x.size(1)
        cos, sin = self.cos[None, :T, None, :], self.sin[None, :T, None, :]
        x1, x2 = x.float().chunk(2, dim=-1)
        return torch.cat([x1 * cos + x2 * sin, -x1 * sin + x2 * cos], -1).type_as(x)


def mlp_act(x):
    return F.relu(x).square()


class Attn(nn.Module):
    def __init__(self):
        super().__init__()
        self.hd = D_MODEL // N_HEAD
        self.q = CastedLinear(D_MODEL, D_MODEL)
        self.k = CastedLinear(D_MODEL, D_MODEL)
        self.v = CastedLinear(D_MODEL, D_MODEL)
        self.o = CastedLinear(D_MODEL, D_MODEL)
        self.rot = Rotary(self.hd, max(TRAIN_SEQ_LEN, VAL_SEQ_LEN))

    def forward(self, x):
        B, T, C = x.shape
        q = self.rot(self.q(x).view(B, T, N_HEAD, self.hd)).transpose(1, 2)
        k = self.rot(self.k(x).view(B, T, N_HEAD, self.hd)).transpose(1, 2)
        v = self.v(x).view(B, T, N_HEAD, self.hd).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = CastedLinear(D_MODEL, 4 * D_MODEL)
        self.proj = CastedLinear(4 * D_MODEL, D_MODEL)

    def forward(self, x):
        return self.proj(mlp_act(self.fc(x)))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = Attn()
        self.mlp = MLP()

    def forward(self, x):
        x = x + self.attn(norm(x))
        x = x + self.mlp(norm(x))
        return x


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, D_MODEL)
        self.blocks = nn.ModuleList([Block() for _ in range(N_LAYER)])
        self.lm_head = CastedLinear(D_MODEL, VOCAB)
        self.lm_head.weight = self.embed.weight

    def forward(self, idx, targets):
        x = self.embed(idx)[None]
        for b in self.blocks:
            x = b(x)
        logits = self.lm_head(norm(x))
        logits = 30 * torch.sigmoid(logits.float() / 7.5)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets)


# %%
if RUN_SANITY:
    _m = GPT().to(device)
    _x = torch.randint(0, VOCAB, (1024,), device=device)
    print("sanity loss (expect ~ln(V)=10.8):", _m(_x, _x.long()).item())
    del _m, _x

# %% [markdown]
# ## ablation: relu^2 vs gelu — keeping gelu for now (relu^2 spiked at ~step 300 in run 14)

# %%
def mlp_act(x):
    return F.gelu(x, approximate="tanh")


# %% [markdown]
# sigmoid head looked identical but cost ~3% step time; back to the plain head.

# %%
def gpt_forward(self, idx, targets):
    x = self.embed(idx)[None]
    for b in self.blocks:
        x = b(x)
    logits = self.lm_head(norm(x))
    return F.cross_entropy(logits.view(-1, logits.size(-1)), targets)


GPT.forward = gpt_forward

# %% [markdown]
# ## optimizer

# %%
def newton_schulz5(G, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    X = X / (X.norm() + 1e-7)
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    if G.size(0) > G.size(1):
        X = X.T
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, nesterov=True):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                s = self.state[p]
                if "buf" not in s:
                    s["buf"] = torch.zeros_like(p.grad)
                s["buf"].mul_(group["momentum"]).add_(p.grad)
                g = p.grad.add(s["buf"], alpha=group["momentum"]) if group["nesterov"] else s["buf"]
                p.add_(newton_schulz5(g).type_as(p), alpha=-group["lr"])


def get_lr(it, max_lr, warmup=WARMUP_ITERS):
    min_lr = max_lr * 0.1
    if it < warmup:
        return max_lr * (it + 1) / warmup
    ratio = (it - warmup) / max(1, NUM_ITERS - warmup)
    coeff = 0.5 * (1.0 + math.cos(math.pi * min(ratio, 1.0)))
    return min_lr + coeff * (max_lr - min_lr)


# %% [markdown]
# ## run 17 settings: shorter sequences, more steps, faster momentum warmup

# %%
TRAIN_SEQ_LEN = 48 * 1024
NUM_ITERS = 1770
MOMENTUM_WARMUP_STEPS = 300

# %%
model = GPT().to(device)
for m in model.modules():
    if isinstance(m, nn.Embedding):
        m.bfloat16()
for p in model.parameters():
    dist.broadcast(p.detach(), 0)
print(f"params: {sum(p.numel() for p in model.parameters()) / 1e6:.1f}M")

matrix_params = [p for p in model.blocks.parameters() if p.ndim == 2]
adam = torch.optim.AdamW([model.embed.weight], lr=ADAM_LR, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.01)
muon = Muon(matrix_params, lr=MUON_LR, momentum=0.95)
opt_max_lr = {id(adam): ADAM_LR, id(muon): MUON_LR}
cmodel = torch.compile(model)

# %%
train_iter = token_stream(f"{DATA_DIR}/fineweb_train_*.bin", TRAIN_SEQ_LEN)
val_steps = VAL_TOKENS // (VAL_SEQ_LEN * world_size)


def evaluate():
    model.eval()
    val_iter = token_stream(f"{DATA_DIR}/fineweb_val_*.bin", VAL_SEQ_LEN)
    tot = torch.zeros((), device=device)
    with torch.no_grad():
        for _ in range(val_steps):
            x, y = next(val_iter)
            tot += cmodel(x, y)
    dist.all_reduce(tot, op=dist.ReduceOp.AVG)
    model.train()
    return (tot / val_steps).item()


# %%
history = {"step": [], "val": []}
t0 = time.perf_counter()
for step in range(NUM_ITERS + 1):
    if step % VAL_EVERY == 0 or step == NUM_ITERS:
        vl = evaluate()
        history["step"].append(step)
        history["val"].append(vl)
        if MASTER:
            print(f"{step:5d} val {vl:.4f}  {time.perf_counter() - t0:.0f}s")
    if step == NUM_ITERS:
        break

    x, y = next(train_iter)
    loss = cmodel(x, y)
    loss.backward()
    for p in model.parameters():
        if p.grad is not None:
            dist.all_reduce(p.grad, op=dist.ReduceOp.AVG)

    frac = min(step / MOMENTUM_WARMUP_STEPS, 1)
    for g in muon.param_groups:
        g["momentum"] = (1 - frac) * 0.85 + frac * 0.95
    for opt in (adam, muon):
        lr = get_lr(step, opt_max_lr[id(opt)])
        for g in opt.param_groups:
            g["lr"] = lr
        opt.step()
    model.zero_grad(set_to_none=True)

# %%
if MASTER:
    import matplotlib.pyplot as plt

    plt.plot(history["step"], history["val"])
    plt.xlabel("step")
    plt.ylabel("val loss")
    plt.axhline(3.28, ls="--", c="gray")
    plt.savefig("val_curve.png", dpi=120)
    print("final val:", history["val"][-1])

# %%
dist.destroy_process_group()
