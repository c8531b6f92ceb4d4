#!/usr/bin/env python
# coding: utf-8

# # scratch: long packed sequences + local attention
#
# Notes to self
# - goal: see whether one long packed row per step (instead of many short rows) is OK
# - keep the baseline model code untouched, patch things in later cells
# - everything below is meant to be run top to bottom; the last cell trains

# In[1]:


import os
os.environ["PYTORCH_CUDA_ALLOC_CONF"] = "max_split_size_mb:512"

import glob
import math
import time
import types

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

torch.manual_seed(0)
DEVICE = "cuda"


# In[2]:


# knobs (some get overwritten further down once I had results)
DATA_DIR = "data/fineweb10B"
VOCAB = 50257
EOT = 50256
D_MODEL = 768
N_HEAD = 12
N_LAYER = 12
SEQ = 16 * 1024
STEPS = 3200
EMB_LR = 0.01
MUON_LR = 0.04
WIN_LO, WIN_HI = 64, 1024
RUN_ABLATION = False
LOG_EVERY = 1


# In[3]:


def load_tokens(path):
    with open(path, "rb") as fh:
        head = np.frombuffer(fh.read(256 * 4), dtype=np.int32)
        assert head[0] == 20240520, "unexpected magic"
        return np.frombuffer(fh.read(), dtype=np.uint16)[: head[2]]


class Packed:
    """hands out one flat row of SEQ+1 tokens at a time"""

    def __init__(self, pattern):
        self.files = sorted(glob.glob(pattern))
        self.fi, self.pos = 0, 0
        self.toks = load_tokens(self.files[0])

    def next(self, n):
        if self.pos + n + 1 > len(self.toks):
            self.fi = (self.fi + 1) % len(self.files)
            self.toks, self.pos = load_tokens(self.files[self.fi]), 0
        row = torch.from_numpy(self.toks[self.pos : self.pos + n + 1].astype(np.int32))
        self.pos += n
        row = row.to(DEVICE)
        return row[:-1], row[1:].long()


# In[4]:


if False:
    # eyeballing document lengths
    t = load_tokens(sorted(glob.glob(f"{DATA_DIR}/fineweb_train_*.bin"))[0])
    ends = np.flatnonzero(t == EOT)
    print(len(ends), np.diff(ends).mean(), np.median(np.diff(ends)))


# In[5]:


# baseline model (unchanged from last week)

class Rotary(nn.Module):
    def __init__(self, hd, base=10000.0):
        super().__init__()
        self.register_buffer("inv", 1.0 / base ** (torch.arange(0, hd, 2).float() / hd), persistent=False)

    def forward(self, x):  # x: B,H,T,hd
        t = torch.arange(x.shape[2], device=x.device).float()
        f = torch.outer(t, self.inv)
        c, s = f.cos().to(x.dtype), f.sin().to(x.dtype)
        a, b = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2 :]
        return torch.cat([a * c + b * s, -a * s + b * c], -1)


class Attn(nn.Module):
    def __init__(self):
        super().__init__()
        self.hd = D_MODEL // N_HEAD
        self.qkv = nn.Linear(D_MODEL, 3 * D_MODEL, bias=False)
        self.o = nn.Linear(D_MODEL, D_MODEL, bias=False)
        self.rot = Rotary(self.hd)

    def forward(self, x, mask):
        T = x.shape[1]
        q, k, v = self.qkv(x).view(1, T, 3, N_HEAD, self.hd).permute(2, 0, 3, 1, 4)
        q, k = self.rot(q), self.rot(k)
        y = flex_attention(q, k, v, block_mask=mask)
        return self.o(y.transpose(1, 2).reshape(1, T, D_MODEL))


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.up = nn.Linear(D_MODEL, 4 * D_MODEL, bias=False)
        self.down = nn.Linear(4 * D_MODEL, D_MODEL, bias=False)

    def forward(self, x):
        return self.down(F.gelu(self.up(x)))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn, self.mlp = Attn(), MLP()

    def forward(self, x, mask):
        x = x + self.attn(F.rms_norm(x, (D_MODEL,)), mask)
        return x + self.mlp(F.rms_norm(x, (D_MODEL,)))


CAP = 15.0
squash = lambda z: 2 * CAP * torch.sigmoid(z / (CAP / 2))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(VOCAB, D_MODEL)
        self.blocks = nn.ModuleList([Block() for _ in range(N_LAYER)])
        self.head = nn.Linear(D_MODEL, VOCAB, bias=False)
        self.head.weight = self.wte.weight

    def forward(self, idx, tgt, mask):
        x = self.wte(idx[None])
        for b in self.blocks:
            x = b(x, mask)
        z = self.head(F.rms_norm(x, (D_MODEL,))).float()
        z = squash(z)
        return F.cross_entropy(z.view(-1, VOCAB), tgt)


# In[6]:


def make_mask(tokens, window):
    doc = (tokens == EOT).cumsum(0)

    def keep(b, h, qi, ki):
        same_doc = doc[qi] == doc[ki]
        return (qi >= ki) & same_doc & (qi - ki < window)

    n = len(tokens)
    return create_block_mask(keep, None, None, n, n, device=DEVICE, _compile=True)


window_at = lambda step: WIN_LO * int((step / STEPS * (WIN_HI - WIN_LO) + WIN_LO) // WIN_LO)


# In[7]:


if False:
    # sanity: mask density at a few windows
    fake = torch.randint(0, VOCAB, (4096,), device=DEVICE)
    fake[::300] = EOT
    for w in (64, 512, 1024):
        print(w, make_mask(fake, w))


# In[8]:


# 16k rows looked fine -> go to the full 64k row per step, and let the window grow further
SEQ = 64 * 1024
WIN_HI = 1792
print([window_at(s) for s in (0, STEPS // 4, STEPS // 2, STEPS - 1)])


# In[9]:


model = Net().to(DEVICE)
for n_, p_ in model.named_parameters():
    if p_.ndim == 2 and "wte" not in n_:
        nn.init.normal_(p_, std=0.02)
print(sum(p.numel() for p in model.parameters()) / 1e6, "M params")


# In[10]:


# swap the MLP nonlinearity in place rather than editing the class above
def _mlp_fwd(self, x):
    h = F.relu(self.up(x))
    return self.down(h * h)


for i in range(len(model.blocks)):
    model.blocks[i].mlp.forward = types.MethodType(_mlp_fwd, model.blocks[i].mlp)


# In[11]:


if RUN_ABLATION:
    # what if block 7 had no attention at all?
    def _mlp_only(self, x, mask):
        return x + self.mlp(F.rms_norm(x, (D_MODEL,)))

    model.blocks[7].forward = types.MethodType(_mlp_only, model.blocks[7])
    del model.blocks[7].attn


# In[12]:


def polar_factor(G, iters=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    flip = X.shape[0] > X.shape[1]
    if flip:
        X = X.mT
    X = X / (X.norm() + 1e-7)
    for _ in range(iters):
        A = X @ X.mT
        X = a * X + b * (A @ X) + c * (A @ (A @ X))
    return X.mT if flip else X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr, beta=0.95):
        super().__init__(params, dict(lr=lr, beta=beta))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for p in g["params"]:
                st = self.state[p]
                if not st:
                    st["m"] = torch.zeros_like(p)
                st["m"].mul_(g["beta"]).add_(p.grad)
                d = p.grad.add(st["m"], alpha=g["beta"])
                p.add_(polar_factor(d).type_as(p), alpha=-g["lr"])


# In[13]:


# 0.04 was a bit timid on the 64k rows
MUON_LR = 0.05

hidden = [p for n, p in model.named_parameters() if p.ndim == 2 and "wte" not in n]
opt_mu = Muon(hidden, lr=MUON_LR)
opt_emb = torch.optim.Adam([model.wte.weight], lr=EMB_LR, betas=(0.9, 0.95), weight_decay=0.0)
opts = [opt_emb, opt_mu]
for o in opts:
    for g in o.param_groups:
        g["lr0"] = g["lr"]

WARM = 50
sched = lambda step: (step + 1) / WARM if step < WARM else max(0.0, (STEPS - step) / (STEPS - WARM))


# In[14]:


if False:
    import matplotlib.pyplot as plt
    plt.plot([sched(s) for s in range(STEPS)])
    plt.plot([window_at(s) / WIN_HI for s in range(STEPS)])
    plt.show()


# In[15]:


train_src = Packed(f"{DATA_DIR}/fineweb_train_*.bin")
val_src = Packed(f"{DATA_DIR}/fineweb_val_*.bin")
fwd = torch.compile(model)
history = []
t0 = time.time()

for step in range(STEPS + 1):
    w = window_at(step)
    if step % 200 == 0 or step == STEPS:
        model.eval()
        with torch.no_grad():
            vl = 0.0
            for _ in range(8):
                xv, yv = val_src.next(SEQ)
                vl += fwd(xv, yv, make_mask(xv, w)).item()
        print(f"[{step}] val {vl / 8:.4f} win={w} t={time.time() - t0:.0f}s")
        model.train()
        if step == STEPS:
            break

    x, y = train_src.next(SEQ)
    loss = fwd(x, y, make_mask(x, w))
    loss.backward()
    for o in opts:
        for g in o.param_groups:
            g["lr"] = g["lr0"] * sched(step)
        o.step()
    model.zero_grad(set_to_none=True)
    history.append(loss.item())
    if step % LOG_EVERY == 0:
        print(step, round(history[-1], 4))
