#!/usr/bin/env python3
"""
lmctl -- one CLI for the long-context LM experiments.

    torchrun --nproc_per_node=8 lmctl.py train  --tokens-per-step 524288 --steps 1480
    torchrun --nproc_per_node=8 lmctl.py eval   --ckpt runs/x/final.pt
    python lmctl.py inspect-mask --shard data/fineweb_val_000000.bin --window-blocks 8

Each rank consumes one packed, document-concatenated token stream per
micro-step; documents are separated by the GPT-2 EOT token.  Attention is
FlexAttention with a block mask that we assemble ourselves from per-block
document ranges.  Gradient accumulation (when world size is small) uses
DDP.no_sync() on all but the last micro-step.
"""
import argparse
import contextlib
import glob
import math
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import BlockMask, flex_attention
from torch.nn.parallel import DistributedDataParallel as DDP

EOT_ID = 50256
BLK = 128


# =============================================================================
# block mask construction
# =============================================================================

def doc_ids(tokens: torch.Tensor) -> torch.Tensor:
    """Running document index of every position (increments at each EOT)."""
    return torch.cumsum((tokens == EOT_ID).to(torch.int32), dim=0)


def _ordered(dense: torch.Tensor):
    counts = dense.sum(dim=-1, dtype=torch.int32)
    order = dense.to(torch.int8).argsort(dim=-1, descending=True, stable=True).to(torch.int32)
    return counts[None, None].contiguous(), order[None, None].contiguous()


def assemble_block_mask(tokens: torch.Tensor, window_blocks: torch.Tensor) -> BlockMask:
    """Block-level mask: causal x same-document x (q_blk - kv_blk < window_blocks).

    Blocks that are entirely visible (strictly below the diagonal and covering a
    single shared document) are listed separately as *full* blocks so FlexAttention
    can skip the element-wise mask there.  The element-wise mask only checks
    causality and document identity; the window is enforced purely per block.
    """
    n = tokens.numel()
    assert n % BLK == 0, "sequence must be a whole number of blocks"
    nb = n // BLK
    docs = doc_ids(tokens)

    def within_doc_causal(b, h, qi, ki):
        return (qi >= ki) & (docs[qi] == docs[ki])

    first = docs.view(nb, BLK)[:, 0]
    last = docs.view(nb, BLK)[:, -1]
    qb = torch.arange(nb, device=tokens.device, dtype=torch.int32)[:, None]
    kb = torch.arange(nb, device=tokens.device, dtype=torch.int32)[None, :]

    touches_causal = qb >= kb
    fully_causal = qb > kb
    overlaps_doc = (first[:, None] <= last[None, :]) & (first[None, :] <= last[:, None])
    same_single_doc = (first[:, None] == last[None, :]) & (first[None, :] == last[:, None])
    in_window = (qb - kb) < window_blocks

    any_visible = touches_causal & overlaps_doc & in_window
    all_visible = fully_causal & same_single_doc & in_window
    part_n, part_i = _ordered(any_visible & ~all_visible)
    full_n, full_i = _ordered(all_visible)
    return BlockMask.from_kv_blocks(part_n, part_i, full_n, full_i, BLOCK_SIZE=BLK, mask_mod=within_doc_causal)


# =============================================================================
# model
# =============================================================================

class Rotary(nn.Module):
    def __init__(self, hd: int, max_len: int, base: float = 10000.0):
        super().__init__()
        inv = base ** (-torch.arange(0, hd, 2, dtype=torch.float32) / hd)
        t = torch.arange(max_len, dtype=torch.float32)
        ang = t[:, None] * inv[None, :]
        self.register_buffer("c", ang.cos(), persistent=False)
        self.register_buffer("s", ang.sin(), persistent=False)

    def forward(self, x):
        T = x.size(-3)
        c, s = self.c[None, :T, None], self.s[None, :T, None]
        a, b = x.float().chunk(2, -1)
        return torch.cat((a * c + b * s, b * c - a * s), -1).type_as(x)


class SelfAttention(nn.Module):
    def __init__(self, d, nh, max_len, has_ve):
        super().__init__()
        self.nh = nh
        self.wq, self.wk, self.wv, self.wo = (nn.Linear(d, d, bias=False) for _ in range(4))
        self.rot = Rotary(d // nh, max_len)
        # convex blend towards the token value table (only layers that get one)
        self.ve_gate = nn.Parameter(torch.tensor(0.5)) if has_ve else None

    def forward(self, x, ve, mask):
        B, T, C = x.shape
        q = self.rot(self.wq(x).view(B, T, self.nh, -1))
        k = self.rot(self.wk(x).view(B, T, self.nh, -1))
        v = self.wv(x).view(B, T, self.nh, -1)
        if ve is not None:
            v = v + self.ve_gate * (ve.view_as(v) - v)
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=mask)
        return self.wo(y.transpose(1, 2).reshape(B, T, C))


class Block(nn.Module):
    def __init__(self, d, nh, max_len, has_ve):
        super().__init__()
        self.attn = SelfAttention(d, nh, max_len, has_ve)
        self.fc = nn.Linear(d, 4 * d, bias=False)
        self.proj = nn.Linear(4 * d, d, bias=False)

    def forward(self, x, ve, mask):
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)), ve, mask)
        return x + self.proj(F.gelu(self.fc(F.rms_norm(x, (x.size(-1),)))))


class ValueTables(nn.Module):
    """Three token->value tables, feeding the first three and the last three layers."""

    def __init__(self, vocab, d, depth, n_tables=3):
        super().__init__()
        self.tables = nn.ModuleList(nn.Embedding(vocab, d) for _ in range(n_tables))
        self.depth = depth
        self.n_tables = n_tables

    def forward(self, ids):
        got = [tbl(ids) for tbl in self.tables]
        gap = [None] * (self.depth - 2 * len(got))
        return got + gap + got


class LongLM(nn.Module):
    def __init__(self, vocab=50257, d=768, depth=12, nh=12, max_len=65536):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.values = ValueTables(vocab, d, depth)
        edge = self.values.n_tables
        self.blocks = nn.ModuleList(Block(d, nh, max_len, i < edge or i >= depth - edge) for i in range(depth))

    def forward(self, ids, targets, window_blocks):
        assert ids.dim() == 1, "one flat token stream per rank"
        mask = assemble_block_mask(ids, window_blocks)
        x = self.embed(ids)[None]
        ves = self.values(ids)
        for blk, ve in zip(self.blocks, ves):
            x = blk(x, None if ve is None else ve[None], mask)
        logits = F.linear(F.rms_norm(x, (x.size(-1),)), self.embed.weight)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets)


# =============================================================================
# data
# =============================================================================

def read_tokens(path):
    hdr = np.fromfile(path, dtype=np.int32, count=256)
    if hdr[0] != 20240520:
        raise SystemExit(f"{path}: not a token shard")
    return torch.from_numpy(np.fromfile(path, dtype=np.uint16, offset=1024).astype(np.int32))


def streams(pattern, seq_len, rank, world):
    for path in sorted(glob.glob(pattern)):
        toks = read_tokens(path)
        stride = seq_len * world
        for base in range(0, len(toks) - stride - 1, stride):
            seg = toks[base + rank * seq_len: base + (rank + 1) * seq_len + 1].cuda()
            yield seg[:-1], seg[1:].long()


def window_blocks_at(step, total, lo=128, hi=1792):
    frac = step / total
    return math.ceil((lo + (hi - lo) * frac) / BLK)


# =============================================================================
# subcommands
# =============================================================================

def cmd_train(a):
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    local = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local)
    accum = a.tokens_per_step // (world * a.seq_len)
    assert accum >= 1 and accum * world * a.seq_len == a.tokens_per_step

    model = LongLM(max_len=max(a.seq_len, a.val_seq_len)).cuda()
    model = torch.compile(model, dynamic=False)
    # buffers are all static and we rescale grads in place -> keep the defaults explicit
    ddp = DDP(model, device_ids=[local], broadcast_buffers=True, gradient_as_bucket_view=False)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, betas=(0.9, 0.95), weight_decay=a.wd)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / a.warmup) * 0.5 * (1 + math.cos(math.pi * min(s / a.steps, 1.0))))

    win = torch.tensor(window_blocks_at(0, a.steps), dtype=torch.int32, device="cuda")
    win_host = int(win.item())
    data = streams(a.train, a.seq_len, rank, world)
    t0 = time.perf_counter()
    for step in range(a.steps):
        nb = window_blocks_at(step, a.steps)
        if nb != win_host:
            win.copy_(torch.tensor(nb, dtype=torch.int32), non_blocking=True)
            win_host = nb
        for micro in range(accum):
            ids, tgt = next(data)
            with contextlib.ExitStack() as stack:
                if micro < accum - 1:
                    stack.enter_context(ddp.no_sync())
                if step >= 5:
                    stack.enter_context(torch.compiler.set_stance(skip_guard_eval_unsafe=True))
                with torch.autocast("cuda", dtype=torch.bfloat16):
                    loss = ddp(ids, tgt, win)
                (loss / accum).backward()
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        if rank == 0:
            print(f"step {step + 1}/{a.steps} loss {loss.item():.4f} window {win_host * BLK} "
                  f"t {time.perf_counter() - t0:.1f}s", flush=True)
        if (step + 1) % a.val_every == 0 or step + 1 == a.steps:
            vl = evaluate(ddp, a, rank, world, win)
            if rank == 0:
                print(f"step {step + 1} val_loss {vl:.4f}", flush=True)
    if rank == 0:
        os.makedirs(a.out, exist_ok=True)
        torch.save({"model": model.state_dict(), "args": vars(a)}, os.path.join(a.out, "final.pt"))
    dist.destroy_process_group()


@torch.no_grad()
def evaluate(net, a, rank, world, win):
    net.eval()
    data = streams(a.val, a.val_seq_len, rank, world)
    tot = torch.zeros((), device="cuda")
    for _ in range(a.val_batches):
        ids, tgt = next(data)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            tot += net(ids, tgt, win)
    tot /= a.val_batches
    dist.all_reduce(tot, op=dist.ReduceOp.AVG)
    net.train()
    return tot.item()


def cmd_eval(a):
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    ck = torch.load(a.ckpt, map_location="cuda")
    model = LongLM(max_len=a.val_seq_len).cuda()
    model.load_state_dict({k.replace("_orig_mod.", ""): v for k, v in ck["model"].items()})
    win = torch.tensor(window_blocks_at(1, 1), dtype=torch.int32, device="cuda")
    vl = evaluate(model, a, rank, world, win)
    if rank == 0:
        print(f"val_loss {vl:.4f}")
    dist.destroy_process_group()


def cmd_inspect_mask(a):
    toks = read_tokens(a.shard)[: a.seq_len].cuda()
    bm = assemble_block_mask(toks, torch.tensor(a.window_blocks, dtype=torch.int32, device="cuda"))
    print(bm)
    print("documents in window:", int(doc_ids(toks)[-1]) + 1)


def build_parser():
    p = argparse.ArgumentParser(prog="lmctl")
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp):
        sp.add_argument("--val", default=os.environ.get("VAL_GLOB", "data/fineweb_val_*.bin"))
        sp.add_argument("--val-seq-len", type=int, default=64 * 1024)
        sp.add_argument("--val-batches", type=int, default=20)

    t = sub.add_parser("train")
    common(t)
    t.add_argument("--train", default=os.environ.get("TRAIN_GLOB", "data/fineweb_train_*.bin"))
    t.add_argument("--seq-len", type=int, default=64 * 1024)
    t.add_argument("--tokens-per-step", type=int, default=8 * 64 * 1024)
    t.add_argument("--steps", type=int, default=1480)
    t.add_argument("--lr", type=float, default=1.5e-3)
    t.add_argument("--wd", type=float, default=0.1)
    t.add_argument("--warmup", type=int, default=100)
    t.add_argument("--val-every", type=int, default=125)
    t.add_argument("--out", default="runs/latest")
    t.set_defaults(fn=cmd_train)

    e = sub.add_parser("eval")
    common(e)
    e.add_argument("--ckpt", required=True)
    e.set_defaults(fn=cmd_eval)

    m = sub.add_parser("inspect-mask")
    m.add_argument("--shard", required=True)
    m.add_argument("--seq-len", type=int, default=64 * 1024)
    m.add_argument("--window-blocks", type=int, default=8)
    m.set_defaults(fn=cmd_inspect_mask)
    return p


if __name__ == "__main__":
    args = build_parser().parse_args()
    sys.exit(args.fn(args))
