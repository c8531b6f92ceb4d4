# gpt_pd.py -- script-style GPT trainer; weights kept in an nn.ParameterDict, forward is functional.
#
#   torchrun --nproc_per_node=8 gpt_pd.py
#
# Hidden matrices get an orthogonalized-momentum update, the tied embedding uses AdamW.
import os
import glob
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist

# --------------------------------------------------------------------------- settings
VOCAB, D, N_LAYER, N_HEAD, SEQ = 50257, 768, 12, 12, 1024
GPU_BATCH = 64                       # sequences per device -> 64*1024*8 = 524288 tokens/step
STEPS, DECAY_STEPS = 6200, 1800
LR = 0.0036                          # AdamW (embedding/head); hidden matrices use LR / 10
VAL_EVERY, VAL_TOKENS = 125, 10485760

dist.init_process_group("nccl")
RANK, WORLD = dist.get_rank(), dist.get_world_size()
DEV = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
torch.cuda.set_device(DEV)
MAIN = RANK == 0

# --------------------------------------------------------------------------- weights
def build_weights():
    w = nn.ParameterDict()
    w["wte"] = nn.Parameter(torch.randn(VOCAB, D) * 0.02)
    for i in range(N_LAYER):
        w[f"b{i}_qkv"] = nn.Parameter(torch.randn(3 * D, D) * D ** -0.5)
        w[f"b{i}_o"] = nn.Parameter(torch.randn(D, D) * D ** -0.5)
        w[f"b{i}_up"] = nn.Parameter(torch.randn(4 * D, D) * D ** -0.5)
        w[f"b{i}_dn"] = nn.Parameter(torch.randn(D, 4 * D) * (4 * D) ** -0.5)
    return w


W = build_weights().to(DEV)
for p in W.values():
    dist.broadcast(p.data, 0)

_inv = 1.0 / (10000.0 ** (torch.arange(0, D // N_HEAD, 2, device=DEV).float() / (D // N_HEAD)))
_ang = torch.arange(SEQ, device=DEV).float()[:, None] * _inv[None]
COS, SIN = _ang.cos()[None, :, None, :], _ang.sin()[None, :, None, :]


def rope(x):
    h = x.size(-1) // 2
    x1, x2 = x[..., :h].float(), x[..., h:].float()
    return torch.cat([x1 * COS + x2 * SIN, -x1 * SIN + x2 * COS], dim=-1).type_as(x)


def norm(x):
    return F.rms_norm(x, (x.size(-1),))


def forward(w, idx, tgt):
    B, T = idx.shape
    x = w["wte"][idx]
    for i in range(N_LAYER):
        q, k, v = F.linear(norm(x), w[f"b{i}_qkv"]).view(B, T, 3, N_HEAD, -1).unbind(2)
        q, k = rope(q), rope(k)
        a = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        x = x + F.linear(a.transpose(1, 2).reshape(B, T, D), w[f"b{i}_o"])
        x = x + F.linear(F.gelu(F.linear(norm(x), w[f"b{i}_up"])), w[f"b{i}_dn"])
    logits = F.linear(norm(x), w["wte"])
    return F.cross_entropy(logits.view(-1, VOCAB), tgt.view(-1)).float()


# --------------------------------------------------------------------------- optimizers
def newton_schulz(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    X /= X.norm() + 1e-7
    flip = G.size(0) > G.size(1)
    if flip:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = torch.add(A, A @ A, alpha=c / b).mul_(b)      # b*A + c*A^2
        X = a * X + B @ X
    return X.T if flip else X


class BlockOrtho(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, mu = group["lr"], group["momentum"]
            for p in group["params"]:
                st = self.state[p]
                buf = st.get("v")
                if buf is None:
                    buf = st["v"] = torch.zeros_like(p.grad)
                buf.mul_(mu).add_(p.grad)
                g = p.grad.add(buf, alpha=mu)
                m, n = g.shape
                if m == 3 * n:      # stacked q/k/v: orthogonalize each n x n slab on its own
                    slabs = [newton_schulz(s) for s in g.split(n, dim=0)]
                    u, s = torch.cat(slabs, dim=0), n ** 0.5
                else:
                    u, s = newton_schulz(g), max(m, n) ** 0.5
                p.sub_(lr * s * u.to(p.dtype))


hidden = [p for k, p in W.items() if k != "wte"]
opt_embed = torch.optim.AdamW([W["wte"]], lr=LR, betas=(0.9, 0.95), weight_decay=0.0, foreach=True)
opt_hidden = BlockOrtho(hidden, lr=LR / 10)
optimizers = [opt_embed, opt_hidden]
base_lrs = [LR, LR / 10]


def lr_scale(step):
    left = STEPS - step
    return 1.0 if left > DECAY_STEPS else left / DECAY_STEPS


# --------------------------------------------------------------------------- data
def shard_tokens(path):
    hdr = np.fromfile(path, dtype=np.int32, count=256)
    return np.fromfile(path, dtype=np.uint16, offset=1024, count=int(hdr[2]))


def loader(pattern):
    files = sorted(glob.glob(pattern))
    n = GPU_BATCH * SEQ
    for f in files * 1000:
        toks = shard_tokens(f)
        for start in range(RANK * n, len(toks) - n - 1, WORLD * n):
            t = torch.from_numpy(toks[start:start + n + 1].astype(np.int64)).to(DEV)
            yield t[:-1].view(GPU_BATCH, SEQ), t[1:].view(GPU_BATCH, SEQ)


step_fn = torch.compile(forward)
train = loader(os.environ["NANOGPT_TRAIN_FILES"])
assert GPU_BATCH * SEQ * WORLD == 524288

t_start = time.perf_counter()
for step in range(STEPS + 1):
    if step % VAL_EVERY == 0 or step == STEPS:
        val = loader(os.environ["NANOGPT_VAL_FILES"])
        n_val = VAL_TOKENS // (GPU_BATCH * SEQ * WORLD)
        with torch.no_grad(), torch.autocast("cuda", torch.bfloat16):
            vloss = sum(step_fn(W, *next(val)) for _ in range(n_val)) / n_val
        dist.all_reduce(vloss, op=dist.ReduceOp.AVG)
        if MAIN:
            print(f"step {step} | val {vloss.item():.4f} | {time.perf_counter() - t_start:.0f}s")
    if step == STEPS:
        break

    x, y = next(train)
    with torch.autocast("cuda", torch.bfloat16):
        loss = step_fn(W, x, y)
    loss.backward()
    for p in W.values():
        dist.all_reduce(p.grad, op=dist.ReduceOp.AVG)
    # normalize each tensor's gradient separately before the optimizer sees it
    for p in W.values():
        p.grad = p.grad / (p.grad.norm() + 1e-6)
    for opt, base in zip(optimizers, base_lrs):
        for g in opt.param_groups:
            g["lr"] = base * lr_scale(step)
        opt.step()
    W.zero_grad(set_to_none=True)
    if MAIN:
        print(f"step {step} | loss {loss.item():.4f}")

dist.destroy_process_group()
