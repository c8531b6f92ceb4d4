#!/usr/bin/env python3
"""
Language-model pretraining where the "weight constraints" are expressed as
torch.nn.utils.parametrize parametrizations and every schedule is built out of
the stock torch.optim.lr_scheduler pieces.

  * embedding table rows are re-normalized on the fly (parametrization)
  * matmul weights are *stored* in fp32 but *used* in bf16 (parametrization)
  * LR: SequentialLR(ConstantLR -> LinearLR), optional warmup in front
  * Muon momentum: a tiny LRScheduler-compatible momentum scheduler
"""
import argparse
import glob
import os
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.utils.parametrize as P
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.optim.lr_scheduler import ConstantLR, LinearLR, OneCycleLR, SequentialLR


def get_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", default=os.environ.get("TRAIN_GLOB", "fineweb10B/fineweb_train_*.bin"))
    ap.add_argument("--val", default=os.environ.get("VAL_GLOB", "fineweb10B/fineweb_val_*.bin"))
    ap.add_argument("--steps", type=int, default=1530)
    ap.add_argument("--warmup", type=int, default=0)
    ap.add_argument("--cooldown-frac", type=float, default=0.4)
    ap.add_argument("--final-lr-frac", type=float, default=0.1)
    ap.add_argument("--schedule", choices=["stable_cooldown", "onecycle"], default="stable_cooldown")
    ap.add_argument("--seq", type=int, default=1024)
    ap.add_argument("--bsz", type=int, default=32)
    ap.add_argument("--embed-lr", type=float, default=0.6)
    ap.add_argument("--head-lr", type=float, default=0.008)
    ap.add_argument("--muon-lr", type=float, default=0.05)
    ap.add_argument("--adam-betas", type=float, nargs=2, default=(0.8, 0.95))
    ap.add_argument("--mom-start", type=float, default=0.85)
    ap.add_argument("--mom-end", type=float, default=0.95)
    ap.add_argument("--mom-warmup", type=int, default=300)
    ap.add_argument("--val-every", type=int, default=125)
    ap.add_argument("--val-batches", type=int, default=20)
    return ap.parse_args()


# --------------------------------------------------------------------------
# parametrizations
# --------------------------------------------------------------------------

class UnitRMSRows(nn.Module):
    """Each embedding row is rescaled to unit RMS (the looked-up vector is therefore normalized)."""

    def forward(self, W):
        return F.rms_norm(W, (W.size(-1),))


class ComputeIn(nn.Module):
    """Keep the master copy in its own dtype, hand a cast copy to the layer."""

    def __init__(self, dtype):
        super().__init__()
        self.dtype = dtype

    def forward(self, W):
        return W.to(self.dtype)


# --------------------------------------------------------------------------
# model
# --------------------------------------------------------------------------

class Rotary(nn.Module):
    def __init__(self, hd, base=10000):
        super().__init__()
        self.register_buffer("inv_freq", (1.0 / base) ** (torch.arange(0, hd, 2).float() / hd), persistent=False)

    def forward(self, x):
        T = x.size(1)
        ang = torch.outer(torch.arange(T, device=x.device).float(), self.inv_freq)
        cos, sin = ang.cos()[None, :, None], ang.sin()[None, :, None]
        x1, x2 = x.float().chunk(2, -1)
        return torch.cat((x1 * cos + x2 * sin, x2 * cos - x1 * sin), -1).type_as(x)


class Attention(nn.Module):
    def __init__(self, d, nh):
        super().__init__()
        self.nh = nh
        self.q = nn.Linear(d, d, bias=False)
        self.k = nn.Linear(d, d, bias=False)
        self.v = nn.Linear(d, d, bias=False)
        self.o = nn.Linear(d, d, bias=False)
        self.rot = Rotary(d // nh)

    def forward(self, x):
        B, T, C = x.shape
        q = self.rot(self.q(x).view(B, T, self.nh, -1))
        k = self.rot(self.k(x).view(B, T, self.nh, -1))
        v = self.v(x).view(B, T, self.nh, -1)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.o(y.transpose(1, 2).reshape(B, T, C))


class Block(nn.Module):
    def __init__(self, d, nh):
        super().__init__()
        self.attn = Attention(d, nh)
        self.fc = nn.Linear(d, 4 * d, bias=False)
        self.proj = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)))
        h = F.gelu(self.fc(F.rms_norm(x, (x.size(-1),))), approximate="tanh")
        return x + self.proj(h)


class LM(nn.Module):
    def __init__(self, vocab=50257, d=768, L=12, nh=12):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(Block(d, nh) for _ in range(L))
        self.lm_head = nn.Linear(d, vocab, bias=True)
        # output bias starts at zero, weights keep the default init
        nn.init.zeros_(self.lm_head.bias)

    def forward(self, idx, tgt):
        x = self.tok(idx)
        for b in self.blocks:
            x = b(x)
        x = F.rms_norm(x, (x.size(-1),))
        logits = self.lm_head(x)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1))


def build_model():
    m = LM().cuda()
    m = m.to(torch.bfloat16)
    P.register_parametrization(m.tok, "weight", UnitRMSRows())
    for mod in m.modules():
        if isinstance(mod, nn.Linear):
            mod.float()
            P.register_parametrization(mod, "weight", ComputeIn(torch.bfloat16))
            if mod.bias is not None:
                P.register_parametrization(mod, "bias", ComputeIn(torch.bfloat16))
    return m


# --------------------------------------------------------------------------
# Muon
# --------------------------------------------------------------------------

def ns5(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    X /= X.norm() + 1e-7
    t = X.size(0) > X.size(1)
    if t:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        AX = A @ X
        X = a * X + b * AX + c * A @ AX
    return X.T if t else X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, momentum=0.95, nesterov=True, ns_steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for grp in self.param_groups:
            for p in grp["params"]:
                g = p.grad
                if g is None:
                    continue
                buf = self.state[p].get("m")
                if buf is None:
                    buf = self.state[p]["m"] = torch.zeros_like(g)
                buf.mul_(grp["momentum"]).add_(g)
                g = g.add(buf, alpha=grp["momentum"]) if grp["nesterov"] else buf
                upd = ns5(g, grp["ns_steps"])
                aspect = g.size(0) / g.size(1)
                p.add_(upd.type_as(p), alpha=-grp["lr"] * (aspect if aspect > 1 else 1.0) ** 0.5)


class MomentumRamp:
    """LRScheduler-like object that linearly ramps group['momentum']."""

    def __init__(self, opt, start, end, total_iters):
        self.opt, self.start, self.end, self.total = opt, start, end, total_iters
        self.last_epoch = 0
        self._apply()

    def _apply(self):
        frac = min(self.last_epoch / self.total, 1.0)
        for g in self.opt.param_groups:
            g["momentum"] = (1 - frac) * self.start + frac * self.end

    def step(self):
        self.last_epoch += 1
        self._apply()


def lr_schedule(opt, args):
    if args.schedule == "onecycle":
        return OneCycleLR(opt, max_lr=[g["lr"] for g in opt.param_groups], total_steps=args.steps + 1,
                          pct_start=0.05, anneal_strategy="linear", cycle_momentum=False,
                          div_factor=25.0, final_div_factor=1e4)
    cool = int(args.cooldown_frac * args.steps)
    stable = args.steps - cool - args.warmup
    phases, milestones = [], []
    if args.warmup > 0:
        phases.append(LinearLR(opt, start_factor=1.0 / args.warmup, end_factor=1.0, total_iters=args.warmup))
        milestones.append(args.warmup)
    phases.append(ConstantLR(opt, factor=1.0, total_iters=stable))
    milestones.append(args.warmup + stable)
    phases.append(LinearLR(opt, start_factor=1.0, end_factor=args.final_lr_frac, total_iters=cool))
    return SequentialLR(opt, phases, milestones=milestones)


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------

def shard_tokens(path):
    with open(path, "rb") as f:
        hdr = np.frombuffer(f.read(256 * 4), dtype=np.int32)
        assert hdr[0] == 20240520
        return np.frombuffer(f.read(), dtype=np.uint16)


class Loader:
    def __init__(self, pattern, bsz, seq, rank, world):
        self.files = sorted(glob.glob(pattern))
        self.bsz, self.seq, self.rank, self.world = bsz, seq, rank, world
        self.reset()

    def reset(self):
        self.fi = 0
        self.tok = shard_tokens(self.files[0])
        self.pos = self.rank * self.bsz * self.seq

    def next(self):
        n = self.bsz * self.seq
        buf = torch.tensor(self.tok[self.pos:self.pos + n + 1].astype(np.int64))
        self.pos += n * self.world
        if self.pos + n * self.world + 1 > len(self.tok):
            self.fi = (self.fi + 1) % len(self.files)
            self.tok, self.pos = shard_tokens(self.files[self.fi]), self.rank * n
        return buf[:-1].view(self.bsz, self.seq).cuda(), buf[1:].view(self.bsz, self.seq).cuda()


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def main():
    args = get_args()
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    local = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local)

    model = build_model()
    ddp = DDP(torch.compile(model), device_ids=[local])

    betas = tuple(args.adam_betas)
    embed_opt = torch.optim.Adam(model.tok.parameters(), lr=args.embed_lr, betas=betas)
    head_opt = torch.optim.Adam(model.lm_head.parameters(), lr=args.head_lr, betas=betas)
    muon = Muon(list(model.blocks.parameters()), lr=args.muon_lr, momentum=args.mom_end)
    opts = [embed_opt, head_opt, muon]
    scheds = [lr_schedule(o, args) for o in opts]
    mom_sched = MomentumRamp(muon, args.mom_start, args.mom_end, args.mom_warmup)

    train = Loader(args.train, args.bsz, args.seq, rank, world)
    val = Loader(args.val, args.bsz, args.seq, rank, world)
    x, y = train.next()
    t0 = time.perf_counter()
    for step in range(args.steps + 1):
        if step == args.steps or step % args.val_every == 0:
            ddp.eval()
            val.reset()
            vl = torch.zeros((), device="cuda")
            with torch.no_grad():
                for _ in range(args.val_batches):
                    vx, vy = val.next()
                    vl += ddp(vx, vy)
            vl /= args.val_batches
            dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            if rank == 0:
                print(f"step {step}/{args.steps} val {vl.item():.4f} t {time.perf_counter() - t0:.0f}s")
            ddp.train()
        if step == args.steps:
            break
        loss = ddp(x, y)
        loss.backward()
        x, y = train.next()
        for o in opts:
            o.step()
        for s in scheds:
            s.step()
        mom_sched.step()
        ddp.zero_grad(set_to_none=True)
        if rank == 0 and step % 20 == 0:
            print(f"step {step} loss {loss.item():.4f} lr {scheds[2].get_last_lr()[0]:.4f} "
                  f"mom {muon.param_groups[0]['momentum']:.3f}")

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
