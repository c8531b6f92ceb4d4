"""
ZeRO-1 style training without DDP.

* Adam-managed tensors (embedding, read-out, per-block gains): gradients are reduce-scattered, each
  rank keeps Adam moments only for its 1/world slice, updates that slice, and the slices are
  all-gathered back into the full parameter.
* Matrix parameters use orthogonalized momentum. Matrices are bucketed by size; in every round each
  rank orthogonalizes one matrix of the bucket and the results are exchanged with an asynchronous
  all_gather_into_tensor, while the next round's Newton-Schulz is already running.

    torchrun --nproc_per_node=8 zero_sharded_muon.py
"""

import os

# allocator setting must be in place before torch initialises CUDA
os.environ.setdefault("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True")

import argparse
import glob
import math
import time
from collections import defaultdict

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F


def get_args():
    p = argparse.ArgumentParser()
    p.add_argument("--train-bin", default="data/fineweb10B/fineweb_train_*.bin")
    p.add_argument("--val-bin", default="data/fineweb10B/fineweb_val_*.bin")
    p.add_argument("--seq-tokens", type=int, default=48 * 1024, help="flat tokens per GPU per step")
    p.add_argument("--iters", type=int, default=1770)
    p.add_argument("--warmup-iters", type=int, default=30)
    p.add_argument("--cooldown-frac", type=float, default=0.4)
    p.add_argument("--dim", type=int, default=768)
    p.add_argument("--layers", type=int, default=12)
    p.add_argument("--heads", type=int, default=12)
    p.add_argument("--vocab", type=int, default=50257)
    p.add_argument("--lr-embed", type=float, default=0.6)
    p.add_argument("--lr-head", type=float, default=0.008)
    p.add_argument("--lr-gain", type=float, default=0.04)
    p.add_argument("--lr-matrix", type=float, default=0.05)
    p.add_argument("--adam-betas", type=float, nargs=2, default=(0.8, 0.95))
    p.add_argument("--adam-eps", type=float, default=1e-10)
    p.add_argument("--mom-lo", type=float, default=0.85)
    p.add_argument("--mom-hi", type=float, default=0.95)
    p.add_argument("--mom-ramp", type=int, default=300)
    p.add_argument("--matrix-clip", type=float, default=1.0, help="per-matrix grad-norm ceiling")
    p.add_argument("--val-every", type=int, default=125)
    p.add_argument("--val-tokens", type=int, default=10 * 48 * 1024)
    return p.parse_args()


# -------------------------------------------------------------------------------------------
# model: a plain pre-norm transformer without positional encoding (causal mask only, "NoPE")


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.o = nn.Linear(dim, dim, bias=False)
        self.fc = nn.Linear(dim, 4 * dim, bias=False)
        self.proj = nn.Linear(4 * dim, dim, bias=False)
        self.attn_gain = nn.Parameter(torch.ones(()))
        self.mlp_gain = nn.Parameter(torch.ones(()))

    def forward(self, x):
        B, T, D = x.shape
        h = F.rms_norm(x, (D,))
        q, k, v = self.qkv(h).view(B, T, 3, self.heads, D // self.heads).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, D)
        x = x + self.attn_gain * self.o(y)
        h = F.rms_norm(x, (D,))
        return x + self.mlp_gain * self.proj(F.gelu(self.fc(h)))


class Net(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.emb = nn.Embedding(a.vocab, a.dim)
        self.blocks = nn.ModuleList(Block(a.dim, a.heads) for _ in range(a.layers))
        self.head = nn.Linear(a.dim, a.vocab, bias=False)

    def forward(self, idx, tgt):
        x = self.emb(idx)[None]
        for b in self.blocks:
            x = b(x)
        logits = self.head(F.rms_norm(x, (x.size(-1),)))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), tgt)


# -------------------------------------------------------------------------------------------
# sharded Adam (ZeRO-1)


class ShardedAdam:
    def __init__(self, groups, betas, eps, rank, world):
        self.groups, self.betas, self.eps = groups, betas, eps
        self.rank, self.world = rank, world
        self.t = 0
        self.state = {}
        self.pending = {}
        for g in groups:
            g["base_lr"] = g["lr"]
            for p in g["params"]:
                n = p.numel()
                padded = math.ceil(n / world) * world
                shard = padded // world
                self.state[p] = dict(
                    padded=padded, shard=shard,
                    m=torch.zeros(shard, device=p.device, dtype=torch.float32),
                    v=torch.zeros(shard, device=p.device, dtype=torch.float32),
                    gshard=torch.empty(shard, device=p.device, dtype=p.dtype),
                )
                p.register_post_accumulate_grad_hook(self._launch_reduce_scatter)

    def _launch_reduce_scatter(self, p):
        st = self.state[p]
        flat = F.pad(p.grad.reshape(-1), (0, st["padded"] - p.numel()))
        self.pending[p] = dist.reduce_scatter_tensor(st["gshard"], flat, op=dist.ReduceOp.AVG, async_op=True)

    @torch.no_grad()
    def step(self):
        self.t += 1
        b1, b2 = self.betas
        gathers = []
        for g in self.groups:
            for p in g["params"]:
                st = self.state[p]
                self.pending.pop(p).wait()
                gs = st["gshard"].float()
                st["m"].lerp_(gs, 1 - b1)
                st["v"].lerp_(gs.square(), 1 - b2)
                mhat = st["m"] / (1 - b1 ** self.t)
                vhat = st["v"] / (1 - b2 ** self.t)
                full = F.pad(p.data.reshape(-1), (0, st["padded"] - p.numel()))
                lo = self.rank * st["shard"]
                mine = full[lo:lo + st["shard"]]
                mine.sub_((g["lr"] * mhat / (vhat.sqrt() + self.eps)).to(mine.dtype))
                out = torch.empty_like(full)
                h = dist.all_gather_into_tensor(out, mine.contiguous(), async_op=True)
                gathers.append((h, p, out))
        for h, p, out in gathers:
            h.wait()
            p.data.copy_(out[:p.numel()].view_as(p))


# -------------------------------------------------------------------------------------------
# orthogonalized momentum, round-robin over ranks, async exchange


def polar_ns5(G):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    tall = X.size(0) > X.size(1)
    if tall:
        X = X.T
    X = X / (X.norm() + 1e-7)
    for _ in range(5):
        A = X @ X.T
        Bm = b * A + c * (A @ A)
        X = a * X + Bm @ X
    return X.T if tall else X


class RoundRobinOrtho:
    def __init__(self, params, lr, rank, world, clip):
        self.rank, self.world, self.clip = rank, world, clip
        self.lr = self.base_lr = lr
        self.momentum = 0.95
        by_size = defaultdict(list)
        for p in params:
            by_size[p.numel()].append(p)
        self.buckets = []
        for numel, ps in sorted(by_size.items()):
            # one contiguous (world, numel) bf16 buffer per bucket, two of them for ping-pong
            bufs = [torch.empty(world, numel, dtype=torch.bfloat16, device=ps[0].device) for _ in range(2)]
            self.buckets.append(dict(params=ps, bufs=bufs))
        self.mom = {p: torch.zeros_like(p) for p in params}
        self.grad_handles = {}
        for p in params:
            p.register_post_accumulate_grad_hook(self._launch_allreduce)

    def _launch_allreduce(self, p):
        self.grad_handles[p] = dist.all_reduce(p.grad, op=dist.ReduceOp.AVG, async_op=True)

    def _update_for(self, p):
        self.grad_handles.pop(p).wait()
        g = p.grad
        gn = g.norm()
        g.mul_(torch.clamp(self.clip / (gn + 1e-6), max=1.0))       # only shrink, never grow
        buf = self.mom[p]
        buf.lerp_(g, 1 - self.momentum)
        look = g.lerp(buf, self.momentum)
        u = polar_ns5(look)
        u = u * max(1.0, p.size(0) / p.size(1)) ** 0.5
        return u.flatten()

    @staticmethod
    def _apply(params, buf, handle, lr):
        handle.wait()
        for j, q in enumerate(params):
            q.data.add_(buf[j].view_as(q).to(q.dtype), alpha=-lr)

    @torch.no_grad()
    def step(self):
        for bucket in self.buckets:
            ps, bufs = bucket["params"], bucket["bufs"]
            prev = None
            for r, base in enumerate(range(0, len(ps), self.world)):
                buf = bufs[r % 2]
                i = base + self.rank
                if i < len(ps):
                    buf[self.rank].copy_(self._update_for(ps[i]))
                else:
                    buf[self.rank].zero_()
                handle = dist.all_gather_into_tensor(buf, buf[self.rank], async_op=True)
                # hand the *previous* round's results to the params while this round is in flight
                if prev is not None:
                    self._apply(*prev, lr=self.lr)
                prev = (ps[base:base + self.world], buf, handle)
            # handles for matrices that were owned by nobody this step still need draining
            for p in ps:
                if p in self.grad_handles:
                    self.grad_handles.pop(p).wait()
            if prev is not None:
                self._apply(*prev, lr=self.lr)


# -------------------------------------------------------------------------------------------
# data


def flat_stream(pattern, n_tok, rank, world):
    files = sorted(glob.glob(pattern))
    while True:
        for f in files:
            count = int(np.fromfile(f, dtype=np.int32, count=256)[2])
            toks = np.memmap(f, dtype=np.uint16, mode="r", offset=1024, shape=(count,))
            for s in range(rank * n_tok, count - n_tok - 1, world * n_tok):
                t = torch.from_numpy(toks[s:s + n_tok + 1].astype(np.int64)).cuda(non_blocking=True)
                yield t[:-1], t[1:]


def lr_factor(step, a):
    if step < a.warmup_iters:
        return (step + 1) / a.warmup_iters
    start = a.iters * (1 - a.cooldown_frac)
    if step < start:
        return 1.0
    prog = (step - start) / (a.iters - start)
    return 0.5 * (1 + math.cos(math.pi * prog))


def main():
    a = get_args()
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    torch.manual_seed(0)

    net = Net(a).cuda()
    with torch.no_grad():
        for p in net.parameters():
            dist.broadcast(p, 0)

    matrices = [p for p in net.blocks.parameters() if p.ndim >= 2]
    gains = [p for p in net.blocks.parameters() if p.ndim < 2]
    adam = ShardedAdam(
        [dict(params=[net.emb.weight], lr=a.lr_embed),
         dict(params=[net.head.weight], lr=a.lr_head),
         dict(params=gains, lr=a.lr_gain)],
        betas=tuple(a.adam_betas), eps=a.adam_eps, rank=rank, world=world,
    )
    ortho = RoundRobinOrtho(matrices, lr=a.lr_matrix, rank=rank, world=world, clip=a.matrix_clip)
    fwd = torch.compile(net)

    train = flat_stream(a.train_bin, a.seq_tokens, rank, world)
    t0 = time.time()
    for step in range(a.iters + 1):
        if step % a.val_every == 0 or step == a.iters:
            net.eval()
            val = flat_stream(a.val_bin, a.seq_tokens, rank, world)
            n_val = a.val_tokens // (a.seq_tokens * world) or 1
            with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
                vl = torch.stack([fwd(*next(val)) for _ in range(n_val)]).mean()
            dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            if rank == 0:
                print(f"step:{step}/{a.iters} val_loss:{vl.item():.4f} train_time:{time.time() - t0:.0f}s")
            net.train()
        if step == a.iters:
            break

        idx, tgt = next(train)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = fwd(idx, tgt)
        loss.backward()  # hooks start the gradient collectives as soon as each grad is final

        f = lr_factor(step, a)
        ramp = min(step / a.mom_ramp, 1.0)
        ortho.momentum = (1 - ramp) * a.mom_lo + ramp * a.mom_hi
        ortho.lr = ortho.base_lr * f
        for g in adam.groups:
            g["lr"] = g["base_lr"] * f
        ortho.step()
        adam.step()
        net.zero_grad(set_to_none=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
