"""
Functional-style GPT trainer: parameters live in one flat ParameterDict and the
network is a pure function forward(params, tokens).  Hidden matrices are updated
by a rank-sharded orthogonalised-momentum rule, the (shared) embedding by AdamW.

Environment: torch==2.5.0 (pinned, see check below), 8xH100.
"""
import os
import glob
import math
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

TORCH_PIN = (2, 5, 0)
_ver = tuple(int(x) for x in torch.__version__.split("+")[0].split(".")[:3])
if _ver != TORCH_PIN:
    raise RuntimeError(f"this script is tuned for torch {'.'.join(map(str, TORCH_PIN))}, found {torch.__version__}")


@dataclass(frozen=True)
class Hp:
    vocab: int = 50304            # 50257 rounded up to a multiple of 128
    d: int = 768
    layers: int = 12
    heads: int = 6
    seq: int = 1024
    rows_per_rank: int = 64
    rows_global: int = 512
    iters: int = 5100
    warmdown: int = 1450
    lr: float = 0.0036
    ortho_lr_ratio: float = 0.1
    logit_clip: float = 30.0


# ------------------------------------------------------------------ parameters
def init_params(hp: Hp) -> nn.ParameterDict:
    P = nn.ParameterDict()
    P["embed"] = nn.Parameter(torch.randn(hp.vocab, hp.d) * 0.02)
    for l in range(hp.layers):
        bound = 1.0 / math.sqrt(hp.d)
        P[f"L{l}_qkv"] = nn.Parameter(torch.empty(3 * hp.d, hp.d).uniform_(-bound, bound))
        P[f"L{l}_o"] = nn.Parameter(torch.zeros(hp.d, hp.d))
        P[f"L{l}_up"] = nn.Parameter(torch.empty(4 * hp.d, hp.d).uniform_(-bound, bound))
        P[f"L{l}_down"] = nn.Parameter(torch.zeros(hp.d, 4 * hp.d))
    return P


def rope_table(head_dim, T, device, theta=10000.0):
    inv = theta ** (-torch.arange(0, head_dim, 2, device=device, dtype=torch.float32) / head_dim)
    ang = torch.outer(torch.arange(T, device=device, dtype=torch.float32), inv)
    return torch.polar(torch.ones_like(ang), ang)


def rope(x, table):
    # x: (B, T, H, D); rotate consecutive pairs as complex numbers
    xc = torch.view_as_complex(x.float().unflatten(-1, (-1, 2)))
    return torch.view_as_real(xc * table[None, :, None, :]).flatten(-2).type_as(x)


def rmsnorm(x):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6)


def forward(P, tokens, hp: Hp, targets=None):
    B, T = tokens.shape
    H, Dh = hp.heads, hp.d // hp.heads
    table = rope_table(Dh, T, tokens.device)
    x = F.embedding(tokens, P["embed"])
    for l in range(hp.layers):
        h = rmsnorm(x)
        q, k, v = F.linear(h, P[f"L{l}_qkv"]).view(B, T, 3, H, Dh).unbind(2)
        q, k = rope(rmsnorm(q), table), rope(rmsnorm(k), table)
        a = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        x = x + F.linear(a.transpose(1, 2).reshape(B, T, hp.d), P[f"L{l}_o"])
        u = F.relu(F.linear(rmsnorm(x), P[f"L{l}_up"]))
        x = x + F.linear(u.square(), P[f"L{l}_down"])
    logits = F.linear(rmsnorm(x), P["embed"]).float()
    logits = logits.clamp(-hp.logit_clip, hp.logit_clip)
    if targets is None:
        return logits
    return F.cross_entropy(logits.view(-1, hp.vocab), targets.view(-1))


class FunctionalGPT(nn.Module):
    """thin nn.Module shell so the pure forward can be compiled and wrapped in DDP"""

    def __init__(self, hp: Hp):
        super().__init__()
        self.hp = hp
        self.P = init_params(hp)

    def forward(self, tokens, targets=None):
        return forward(self.P, tokens, self.hp, targets)


# ------------------------------------------------------------------ update rules
def orth(M, iters=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = M.bfloat16()
    X = X / (X.norm() + 1e-7)
    t = M.shape[0] > M.shape[1]
    if t:
        X = X.T
    for _ in range(iters):
        S = X @ X.T
        SX = S @ X
        X = a * X + b * SX + c * S @ SX
    return X.T if t else X


def ortho_update(g):
    rows, cols = g.shape
    if rows == 3 * cols:
        blocks = [orth(blk) for blk in g.split(cols, dim=0)]
        return torch.cat(blocks, dim=0) * math.sqrt(cols)
    return orth(g) * math.sqrt(max(rows, cols))


class ShardedOrthoMomentum:
    def __init__(self, params, lr, momentum=0.95):
        self.params, self.lr, self.momentum = list(params), lr, momentum
        self.bufs = [torch.zeros_like(p) for p in self.params]
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        self.numels = [p.numel() for p in self.params]
        self.offsets = np.cumsum([0] + self.numels)

    @torch.no_grad()
    def step(self, lr_mult):
        flat = torch.zeros(int(self.offsets[-1]), device="cuda", dtype=torch.bfloat16)
        for i, (p, buf) in enumerate(zip(self.params, self.bufs)):
            if i % self.world != self.rank:
                continue
            buf.mul_(self.momentum).add_(p.grad)
            g = p.grad + self.momentum * buf
            flat[self.offsets[i]:self.offsets[i + 1]] = ortho_update(g).reshape(-1)
        dist.all_reduce(flat, op=dist.ReduceOp.SUM)
        for i, p in enumerate(self.params):
            p.sub_(flat[self.offsets[i]:self.offsets[i + 1]].view_as(p).to(p.dtype), alpha=self.lr * lr_mult)


# ------------------------------------------------------------------ data
def shard_iter(pattern, rows, seq, rank, world):
    paths = sorted(glob.glob(pattern))
    k = 0
    while True:
        data = np.fromfile(paths[k % len(paths)], dtype=np.uint16, offset=1024)
        n = rows * seq
        for s in range(rank * n, len(data) - world * n - 1, world * n):
            blk = torch.from_numpy(data[s:s + n + 1].astype(np.int64)).cuda()
            yield blk[:-1].view(rows, seq), blk[1:].view(rows, seq)
        k += 1


def lr_shape(it, hp: Hp):
    return 1.0 if it < hp.iters - hp.warmdown else (hp.iters - it) / hp.warmdown


# ------------------------------------------------------------------ main
def main(hp=Hp()):
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    torch.manual_seed(0)
    torch.backends.cuda.enable_flash_sdp(True)
    torch.backends.cuda.enable_mem_efficient_sdp(False)
    torch.backends.cuda.enable_math_sdp(False)

    net = FunctionalGPT(hp).cuda()
    P = net.P
    model = DDP(torch.compile(net), device_ids=[int(os.environ["LOCAL_RANK"])])
    hidden = [p for name, p in P.items() if name.startswith("L")]
    adamw = torch.optim.AdamW([P["embed"]], lr=hp.lr, betas=(0.9, 0.95), weight_decay=0.0, fused=True)
    ortho = ShardedOrthoMomentum(hidden, lr=hp.ortho_lr_ratio * hp.lr)
    accum = hp.rows_global // (hp.rows_per_rank * world)
    train = shard_iter(os.environ["NANOGPT_TRAIN_FILES"], hp.rows_per_rank, hp.seq, rank, world)

    t0 = time.time()
    for it in range(hp.iters + 1):
        if it % 125 == 0 or it == hp.iters:
            val = shard_iter(os.environ["NANOGPT_VAL_FILES"], hp.rows_per_rank, hp.seq, rank, world)
            nval = int(os.environ["NANOGPT_VAL_TOKENS"]) // (hp.rows_per_rank * hp.seq * world)
            model.eval()
            with torch.no_grad(), torch.autocast("cuda", torch.bfloat16):
                vl = torch.stack([model(x, y) for x, y in (next(val) for _ in range(nval))]).mean()
            model.train()
            dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            if rank == 0:
                print(f"it {it} val {vl.item():.4f} t {time.time() - t0:.0f}s")
        if it == hp.iters:
            break
        for micro in range(accum):
            x, y = next(train)
            model.require_backward_grad_sync = micro == accum - 1
            with torch.autocast("cuda", torch.bfloat16):
                loss = model(x, y)
            (loss / accum).backward()
        mult = lr_shape(it, hp)
        for g in adamw.param_groups:
            g["lr"] = hp.lr * mult
        adamw.step()
        ortho.step(mult)
        model.zero_grad(set_to_none=True)
        if rank == 0 and it % 20 == 0:
            print(f"it {it} loss {loss.item():.4f}")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
