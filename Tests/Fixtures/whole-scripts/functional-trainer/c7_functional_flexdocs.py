"""
fn_longctx.py -- functional long-context GPT: weights in a ParameterDict, pure-function forward,
hand-written data parallelism and a hand-written orthogonalized-momentum step.

torchrun --nproc_per_node=8 fn_longctx.py
"""
import os
os.environ["PYTORCH_CUDA_ALLOC_CONF"] = "expandable_segments:True"
import glob
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist
from torch.nn.attention.flex_attention import BlockMask, flex_attention

flex_attention = torch.compile(flex_attention, dynamic=False)

HP = dict(vocab=50304, dim=768, depth=12, heads=6, seq=64 * 1024, steps=1480, cooldown=0.4,
          val_every=125, val_tokens=4 * 10485760, blk=128, eot=50256)
ENC = HP["depth"] // 2

dist.init_process_group("nccl")
RANK, WORLD = dist.get_rank(), dist.get_world_size()
torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
assert HP["seq"] * WORLD == 524288, "one 64K-token stream per rank on 8 ranks"

# ===================================================================== parameters
def init_weights():
    D, V = HP["dim"], HP["vocab"]
    u = lambda *s: nn.Parameter(torch.empty(*s).uniform_(-(3 / s[-1]) ** 0.5, (3 / s[-1]) ** 0.5))
    W = nn.ParameterDict()
    W["tok"] = nn.Parameter(torch.randn(V, D))
    W["vtab"] = nn.Parameter(torch.randn(V, ENC * D))          # one wide table, one slice per encoder layer
    for i in range(HP["depth"]):
        for n in ("q", "k", "v"):
            W[f"l{i}_{n}"] = u(D, D)
        W[f"l{i}_o"] = nn.Parameter(torch.zeros(D, D))
        W[f"l{i}_fc"] = u(4 * D, D)
        W[f"l{i}_pr"] = nn.Parameter(torch.zeros(D, 4 * D))
        W[f"l{i}_vmix"] = nn.Parameter(torch.tensor([0.5, 0.5]))
    W["skipw"] = nn.Parameter(torch.ones(HP["depth"] - ENC))
    W["head"] = nn.Parameter(torch.zeros(V, D))
    return W


W = init_weights().cuda()
for p in W.values():
    dist.broadcast(p.detach(), 0)

# ===================================================================== model
def norm(t):
    return F.rms_norm(t, (t.size(-1),))


_hd = HP["dim"] // HP["heads"]
_freq = 10000.0 ** (-torch.arange(0, _hd, 2, dtype=torch.float32, device="cuda") / _hd)
_ang = torch.arange(HP["seq"], device="cuda", dtype=torch.float32)[:, None] * _freq
COS, SIN = _ang.cos()[None, :, None], _ang.sin()[None, :, None]


def rotate(t):
    T = t.size(1)
    c, s = COS[:, :T], SIN[:, :T]
    p, q = t.float().chunk(2, dim=-1)
    return torch.cat([p * c + q * s, q * c - p * s], -1).type_as(t)


def doc_masks(stream, win_blocks):
    B = HP["blk"]
    docs = (stream == HP["eot"]).cumsum(0)

    def same_doc_causal(b, h, qi, ki):
        return (qi >= ki) & (docs[qi] == docs[ki])

    nb = stream.numel() // B
    first, last = docs.view(nb, B)[:, 0], docs.view(nb, B)[:, -1]
    bi = torch.arange(nb, dtype=torch.int32, device=stream.device)
    qb, kb = bi[:, None], bi[None, :]
    in_window = (qb - kb) < win_blocks
    overlap = (first[:, None] <= last[None, :]) & (first[None, :] <= last[:, None])
    any_visible = (qb >= kb) & overlap & in_window
    one_doc = (first[:, None] == last[:, None]) & (first[None, :] == last[None, :]) & (first[:, None] == first[None, :])
    all_visible = (qb > kb) & one_doc & in_window

    def ordered(m):
        m = m.to(torch.int32)
        cnt = m.sum(-1, dtype=torch.int32)
        idx = torch.argsort(m, dim=-1, descending=True, stable=True).to(torch.int32)
        return cnt[None, None].contiguous(), idx[None, None].contiguous()

    part_n, part_i = ordered(any_visible & ~all_visible)
    full_n, full_i = ordered(all_visible)
    return BlockMask.from_kv_blocks(part_n, part_i, full_n, full_i, BLOCK_SIZE=B, mask_mod=same_doc_causal)


def attn(W, i, h, vslice, mask):
    T, H = h.size(1), HP["heads"]
    q = F.linear(h, W[f"l{i}_q"]).view(1, T, H, -1)
    k = F.linear(h, W[f"l{i}_k"]).view(1, T, H, -1)
    v = F.linear(h, W[f"l{i}_v"]).view(1, T, H, -1)
    mix = W[f"l{i}_vmix"]
    v = mix[0] * v + mix[1] * vslice.view_as(v).type_as(v)
    q, k = rotate(norm(q)).type_as(v), rotate(norm(k)).type_as(v)
    y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=mask)
    return F.linear(y.transpose(1, 2).reshape(1, T, -1), W[f"l{i}_o"])


def mlp(W, i, h):
    return F.linear(F.relu(F.linear(h, W[f"l{i}_fc"])).square(), W[f"l{i}_pr"])


def loss_fn(W, stream, target, win_blocks):
    mask = doc_masks(stream, win_blocks)
    x = norm(F.embedding(stream, W["tok"]))[None]
    vslices = F.embedding(stream, W["vtab"])[None].chunk(ENC, dim=-1)
    depth, skips = HP["depth"], []
    for i in range(depth):
        if i >= ENC:
            x = x + W["skipw"][i - ENC] * skips.pop()
        vs = vslices[i] if i < ENC else vslices[depth - 1 - i]     # mirrored reuse in the decoder half
        x = x + attn(W, i, norm(x), vs, mask)
        x = x + mlp(W, i, norm(x))
        if i < ENC:
            skips.append(x)
    logits = F.linear(norm(x), W["head"]).float()
    logits = 15 * torch.tanh(logits / 15)
    return F.cross_entropy(logits.view(-1, logits.size(-1)), target)


# ===================================================================== orthogonalized momentum (sharded)
def orth(G):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    t = X.size(0) > X.size(1)
    X = X.mT if t else X
    X = X / (X.norm() + 1e-7)
    for _ in range(5):
        A = X @ X.mT
        X = a * X + (b * A + c * A @ A) @ X
    return X.mT if t else X


def size_groups(mats):
    by = {}
    for p in mats:
        by.setdefault(p.numel(), []).append(p)
    return [(ps, [torch.empty(n, dtype=torch.bfloat16, device="cuda") for _ in range(WORLD)]) for n, ps in by.items()]


def _apply(pending, lr):
    if pending is None:
        return
    work, chunk, bufs = pending
    work.wait()
    for p, u in zip(chunk, bufs):
        p.add_(u.view_as(p), alpha=-lr * max(1.0, p.size(0) / p.size(1)) ** 0.5)


@torch.no_grad()
def ortho_step(groups, moms, lr, beta):
    for ps, bufs in groups:
        pending = None
        for base in range(0, len(ps), WORLD):
            j = base + RANK
            if j < len(ps):
                p = ps[j]
                moms[p].lerp_(p.grad, 1 - beta)
                u = orth(p.grad.lerp_(moms[p], beta)).flatten()
            else:
                u = bufs[RANK]
            _apply(pending, lr)                                   # finish previous round while this one flies
            pending = (dist.all_gather(bufs, u, async_op=True), ps[base:base + WORLD], bufs)
        _apply(pending, lr)


mats = [p for k, p in W.items() if k.startswith("l") and p.ndim == 2]
scalars = [p for p in W.values() if p.ndim < 2]
groups, moms = size_groups(mats), {p: torch.zeros_like(p) for p in mats}
adam = torch.optim.Adam([dict(params=[W["tok"], W["vtab"]], lr=0.6), dict(params=[W["head"]], lr=0.008),
                         dict(params=scalars, lr=0.04)], betas=(0.8, 0.95), fused=True)
adam_base = [g["lr"] for g in adam.param_groups]
ORTHO_LR = 0.05

# ===================================================================== data
def read_pinned(path):
    header = torch.from_file(path, False, 256, dtype=torch.int32)
    n = int(header[2])
    out = torch.empty(n, dtype=torch.uint16, pin_memory=True)
    with open(path, "rb", buffering=0) as f:
        f.seek(1024)
        assert f.readinto(out.numpy()) == 2 * n
    return out


def streams(pattern, seq):
    for path in sorted(glob.glob(pattern)):
        toks, pos = read_pinned(path), 0
        while pos + WORLD * seq + 1 < len(toks):
            s = toks[pos + RANK * seq: pos + RANK * seq + seq + 1]
            pos += WORLD * seq
            yield (s[:-1].to("cuda", dtype=torch.int32, non_blocking=True),
                   s[1:].to("cuda", dtype=torch.int64, non_blocking=True))


# ===================================================================== loop
compiled = torch.compile(loss_fn)
train = streams(os.environ["NANOGPT_TRAIN_FILES"], HP["seq"])
win = torch.tensor(1, dtype=torch.int32, device="cuda")
win_prev = 1
t0 = time.perf_counter()
for step in range(HP["steps"] + 1):
    frac = step / HP["steps"]
    nblk = int(1 + 13 * frac)                 # 128 -> 1792 tokens, in whole blocks
    if nblk != win_prev:
        win.fill_(nblk)
        win_prev = nblk

    if step % HP["val_every"] == 0 or step == HP["steps"]:
        n_val = HP["val_tokens"] // (WORLD * HP["seq"])
        val, acc = streams(os.environ["NANOGPT_VAL_FILES"], HP["seq"]), torch.zeros((), device="cuda")
        with torch.no_grad(), torch.autocast("cuda", torch.bfloat16):
            for _ in range(n_val):
                acc += compiled(W, *next(val), win)
        per_rank = torch.empty(WORLD, device="cuda")
        dist.all_gather_into_tensor(per_rank, (acc / n_val).reshape(1))
        if RANK == 0:
            print(f"step {step} val_loss {per_rank.mean().item():.4f} t={time.perf_counter() - t0:.0f}s")
    if step == HP["steps"]:
        break

    x, y = next(train)
    with torch.autocast("cuda", torch.bfloat16):
        compiled(W, x, y, win).backward()
    for p in W.values():
        dist.all_reduce(p.grad, op=dist.ReduceOp.AVG)
    remaining = 1 - frac
    scale = min(remaining / HP["cooldown"], 1.0)
    for g, b in zip(adam.param_groups, adam_base):
        g["lr"] = b * scale
    adam.step()
    beta = 0.85 + 0.10 * min(step / 300, 1)
    ortho_step(groups, moms, ORTHO_LR * scale, beta)
    W.zero_grad(set_to_none=True)
    if RANK == 0 and step % 50 == 0:
        print(f"step {step} t={time.perf_counter() - t0:.0f}s")

dist.destroy_process_group()
