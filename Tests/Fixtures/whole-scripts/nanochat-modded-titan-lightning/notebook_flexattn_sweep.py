#!/usr/bin/env python
# coding: utf-8

# # flex-attention packing sweep (exported from sweep_0126.ipynb)
# Single GPU. One flat token stream per step, documents kept apart by the mask.

# In[1]:


import os, glob, math, time
from functools import partial
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import flex_attention, create_block_mask

torch.manual_seed(0)
dev = "cuda"


# In[2]:


# knobs
SEQ = 48 * 1024            # tokens per step (was 64k, smaller batch trains better per token)
VAL_SEQ = 4 * 64 * 1024    # evaluate on much longer packed sequences
N_ITERS = 1770
WIN = 1024                 # local attention span in tokens
EOT = 50256
D, H, NL, V = 768, 12, 12, 50257
LR_WARM = 120              # lr ramp, in steps
FAKE_FP8_HEAD = True


# In[3]:


def shard_tokens(path):
    hdr = np.fromfile(path, dtype=np.int32, count=256)
    return np.fromfile(path, dtype=np.uint16, offset=1024)[: hdr[2]]

train_files = sorted(glob.glob("fineweb10B/fineweb_train_*.bin"))
val_files = sorted(glob.glob("fineweb10B/fineweb_val_*.bin"))
train_toks = np.concatenate([shard_tokens(f) for f in train_files[:8]])
val_toks = shard_tokens(val_files[0])
print(len(train_toks), len(val_toks))


# In[4]:


def flat_batch(toks, n, i):
    s = (i * n) % (len(toks) - n - 1)
    c = torch.from_numpy(toks[s:s + n + 1].astype(np.int64)).to(dev)
    return c[:-1], c[1:]

get_train = partial(flat_batch, train_toks, SEQ)
get_val = partial(flat_batch, val_toks, VAL_SEQ)


# In[5]:


def doc_window_rule(docs, b, h, q, kv):
    causal = q >= kv
    same_doc = docs[q] == docs[kv]
    near = (q - kv) < WIN
    return causal & same_doc & near

def mask_for(tokens):
    docs = (tokens == EOT).cumsum(0)
    L = tokens.numel()
    return create_block_mask(partial(doc_window_rule, docs), None, None, L, L, device=dev, _compile=True)


# In[6]:


rope_len = max(SEQ, VAL_SEQ)
hd = D // H
inv_f = 1.0 / (10000 ** (torch.arange(0, hd, 2, device=dev).float() / hd))
ang = torch.outer(torch.arange(rope_len, device=dev).float(), inv_f)
COS, SIN = ang.cos().bfloat16(), ang.sin().bfloat16()

def rope(x):  # x: (1, T, H, hd)
    T = x.size(1)
    c, s = COS[None, :T, None], SIN[None, :T, None]
    x1, x2 = x[..., : hd // 2], x[..., hd // 2:]
    return torch.cat([x1 * c + x2 * s, -x1 * s + x2 * c], -1)

flex = torch.compile(flex_attention, dynamic=False)


# In[7]:


def fake_fp8(t, scale):
    # quantise-dequantise to mimic e4m3 resolution; matmul itself stays bf16
    return (t * scale).to(torch.float8_e4m3fn).to(torch.bfloat16) / scale


class Blk(nn.Module):
    def __init__(s):
        super().__init__()
        s.n1, s.n2 = nn.LayerNorm(D), nn.LayerNorm(D)
        s.qkv = nn.Linear(D, 3 * D, bias=False)
        s.o = nn.Linear(D, D, bias=False)
        s.ff = nn.Sequential(nn.Linear(D, 4 * D, bias=False), nn.GELU(), nn.Linear(4 * D, D, bias=False))

    def forward(s, x, bm):
        T = x.size(1)
        q, k, v = s.qkv(s.n1(x)).view(1, T, 3, H, hd).unbind(2)
        q, k = rope(q), rope(k)
        y = flex(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=bm)
        x = x + s.o(y.transpose(1, 2).reshape(1, T, D))
        return x + s.ff(s.n2(x))


class LM(nn.Module):
    def __init__(s):
        super().__init__()
        s.emb = nn.Embedding(V, D)
        s.blks = nn.ModuleList([Blk() for _ in range(NL)])
        s.nf = nn.LayerNorm(D)

    def forward(s, tok, tgt):
        bm = mask_for(tok)
        x = s.emb(tok)[None]
        for b in s.blks:
            x = b(x, bm)
        x = s.nf(x)[0]
        W = s.emb.weight.bfloat16()
        if FAKE_FP8_HEAD and s.training:
            logits = fake_fp8(x.bfloat16(), 2.0) @ fake_fp8(W, 32.0).T
        else:
            logits = x.bfloat16() @ W.T
        return F.cross_entropy(logits.float(), tgt)

model = LM().to(dev)
cmodel = torch.compile(model)


# In[8]:


ABC = (3.4445, -4.7750, 2.0315)

def orth(G, n=5):
    X = G.bfloat16()
    tr = X.size(0) > X.size(1)
    if tr: X = X.T
    X = X / (X.norm() + 1e-7)
    for _ in range(n):
        A = X @ X.T
        X = ABC[0] * X + ABC[1] * A @ X + ABC[2] * A @ (A @ X)
    return X.T if tr else X

class Muon(torch.optim.Optimizer):
    def __init__(s, ps, lr, mom=0.95):
        super().__init__(ps, dict(lr=lr, mom=mom))
    @torch.no_grad()
    def step(s):
        for g in s.param_groups:
            for p in g["params"]:
                b = s.state[p].setdefault("b", torch.zeros_like(p))
                b.mul_(g["mom"]).add_(p.grad)
                p.add_(orth(p.grad + g["mom"] * b).type_as(p), alpha=-g["lr"])

is_mat = lambda n, p: p.ndim == 2 and n.startswith("blks")
mats = [p for n, p in model.named_parameters() if is_mat(n, p)]
rest = [p for n, p in model.named_parameters() if not is_mat(n, p)]
opt_m = Muon(mats, lr=0.05)
opt_a = torch.optim.Adam(rest, lr=0.008, betas=(0.8, 0.95))
opts = [opt_m, opt_a]
for o in opts:
    for g in o.param_groups: g["lr0"] = g["lr"]


# In[9]:


lr_at = lambda it: min(1.0, (it + 1) / LR_WARM) * (1.0 if it < 0.6 * N_ITERS else (N_ITERS - it) / (0.4 * N_ITERS))

def evaluate(k=4):
    model.eval()
    with torch.no_grad(), torch.autocast("cuda", torch.bfloat16):
        out = sum(cmodel(*get_val(i)).item() for i in range(k)) / k
    model.train()
    return out


# In[10]:


hist = []
t0 = time.time()
for it in range(N_ITERS):
    x, y = get_train(it)
    with torch.autocast("cuda", torch.bfloat16):
        loss = cmodel(x, y)
    loss.backward()
    for o in opts:
        for g in o.param_groups: g["lr"] = g["lr0"] * lr_at(it)
        o.step(); o.zero_grad(set_to_none=True)
    if it % 100 == 0 or it == N_ITERS - 1:
        hist.append((it, loss.item()))
        print(it, f"{loss.item():.4f}", f"{time.time() - t0:.0f}s")


# In[11]:


print("val", evaluate())
