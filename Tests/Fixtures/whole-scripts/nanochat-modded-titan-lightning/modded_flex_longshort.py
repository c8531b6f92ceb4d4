"""
Long-context flex-attention trainer (speedrun lineage, rewritten for our infra).

* one flat 64K-token stream per rank, documents separated by <|endoftext|>
* block-sparse attention assembled by hand from 128-token block statistics
* two window sizes per step ("wide" and "narrow" = wide / 2) interleaved over depth
* the window (in blocks) widens linearly over training
"""
import os
import glob
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.nn.attention.flex_attention import BlockMask, flex_attention

EOT_ID = 50256
BLK = 128
SEQ = 64 * 1024
STEPS = 1400
MIN_WIN_TOKENS, MAX_WIN_TOKENS = 128, 1792
DEPTH, WIDTH, HEADS = 12, 768, 12
LAYER_WINDOWS = ["wide", "narrow", "narrow", "narrow", "wide", "narrow",
                 "narrow", "wide", "narrow", "narrow", "narrow", "wide"]

compiled_flex = torch.compile(flex_attention, dynamic=False)


def build_window_masks(tokens: torch.Tensor, win_blocks: torch.Tensor):
    """Return (wide, narrow) BlockMasks for a 1-D token stream."""
    n_blk = tokens.numel() // BLK
    doc = (tokens == EOT_ID).cumsum(0)
    per_blk = doc.view(n_blk, BLK)
    lo, hi = per_blk[:, 0].contiguous(), per_blk[:, -1].contiguous()
    rows = torch.arange(n_blk, device=tokens.device)[:, None]
    cols = torch.arange(n_blk, device=tokens.device)[None, :]

    touches = (rows >= cols) & (lo[:, None] <= hi[None, :]) & (hi[:, None] >= lo[None, :])
    whole = (rows > cols) & (lo[:, None] == hi[:, None]) & (lo[None, :] == hi[None, :]) & (lo[:, None] == lo[None, :])
    part = touches & ~whole

    def to_lists(dense):
        # kv blocks listed newest-first so a window is just a truncation of the count
        key = torch.where(dense, cols.expand_as(dense), -1)
        order = torch.argsort(key, dim=-1, descending=True, stable=True).to(torch.int32)
        return dense.sum(-1, dtype=torch.int32), order

    part_n, part_idx = to_lists(part)
    whole_n, whole_idx = to_lists(whole)

    def token_rule(b, h, q_idx, kv_idx):
        return (q_idx >= kv_idx) & (doc[q_idx] == doc[kv_idx])

    def with_window(w):
        w_whole = torch.clamp_max(whole_n, w - 1)
        w_part = torch.clamp_max(part_n, torch.clamp_min(w - w_whole, 1))
        return BlockMask.from_kv_blocks(
            w_part[None, None], part_idx[None, None],
            w_whole[None, None], whole_idx[None, None],
            BLOCK_SIZE=BLK, mask_mod=token_rule,
        )

    return with_window(win_blocks), with_window(win_blocks // 2)


class RoPE(nn.Module):
    def __init__(self, dim, base=10000.0):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / base ** (torch.arange(0, dim, 2).float() / dim), persistent=False)

    def forward(self, x):  # x: (B, T, H, D)
        t = torch.arange(x.size(1), device=x.device, dtype=torch.float32)
        f = torch.outer(t, self.inv_freq)
        c, s = f.cos()[None, :, None, :].to(x.dtype), f.sin()[None, :, None, :].to(x.dtype)
        x1, x2 = x.chunk(2, dim=-1)
        return torch.cat([x1 * c + x2 * s, x2 * c - x1 * s], dim=-1)


class FlexAttn(nn.Module):
    def __init__(self):
        super().__init__()
        self.hd = WIDTH // HEADS
        self.q = nn.Linear(WIDTH, WIDTH, bias=False)
        self.k = nn.Linear(WIDTH, WIDTH, bias=False)
        self.v = nn.Linear(WIDTH, WIDTH, bias=False)
        self.o = nn.Linear(WIDTH, WIDTH, bias=False)
        self.rope = RoPE(self.hd)

    def forward(self, x, mask):
        B, T, _ = x.shape
        q = self.rope(self.q(x).view(B, T, HEADS, self.hd))
        k = self.rope(self.k(x).view(B, T, HEADS, self.hd))
        v = self.v(x).view(B, T, HEADS, self.hd)
        y = compiled_flex(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=mask, scale=0.12)
        return self.o(y.transpose(1, 2).reshape(B, T, WIDTH))


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(WIDTH, bias=False), nn.LayerNorm(WIDTH, bias=False)
        self.attn = FlexAttn()
        self.fc = nn.Linear(WIDTH, 4 * WIDTH, bias=False)
        self.proj = nn.Linear(4 * WIDTH, WIDTH, bias=False)

    def forward(self, x, mask):
        x = x + self.attn(self.ln1(x), mask)
        return x + self.proj(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))


class LongCtxLM(nn.Module):
    def __init__(self, vocab=50257):
        super().__init__()
        self.tok = nn.Embedding(vocab, WIDTH)
        self.layers = nn.ModuleList(Layer() for _ in range(DEPTH))
        self.ln_f = nn.LayerNorm(WIDTH, bias=False)
        self.head = nn.Linear(WIDTH, vocab, bias=False)
        self.head.weight = self.tok.weight

    def forward(self, inputs, targets, win_blocks):
        assert inputs.ndim == 1
        wide, narrow = build_window_masks(inputs, win_blocks)
        masks = {"wide": wide, "narrow": narrow}
        x = self.tok(inputs)[None]
        for layer, kind in zip(self.layers, LAYER_WINDOWS):
            x = layer(x, masks[kind])
        logits = self.head(self.ln_f(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets)


def newton_schulz(M, iters=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = M.bfloat16() / (M.norm() + 1e-7)
    t = X.size(0) > X.size(1)
    X = X.T if t else X
    for _ in range(iters):
        S = X @ X.T
        X = a * X + b * (S @ X) + c * (S @ (S @ X))
    return (X.T if t else X).to(M.dtype)


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, beta=0.95):
        super().__init__(params, dict(lr=lr, beta=beta))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for p in g["params"]:
                st = self.state.setdefault(p, {})
                buf = st.setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(g["beta"]).add_(p.grad)
                p.sub_(g["lr"] * newton_schulz(p.grad + g["beta"] * buf))


def stream(pattern, rank, world):
    for path in sorted(glob.glob(pattern)):
        arr = np.fromfile(path, dtype=np.uint16, offset=256 * 4)
        span = SEQ * world
        for start in range(0, len(arr) - span - 1, span):
            piece = torch.from_numpy(arr[start + rank * SEQ: start + (rank + 1) * SEQ + 1].astype(np.int32))
            piece = piece.cuda()
            yield piece[:-1], piece[1:].long()


def lr_at(step, warm=100):
    if step < warm:
        return (step + 1) / warm
    p = (step - warm) / (STEPS - warm)
    return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * p))


def window_blocks_at(step):
    tokens = MIN_WIN_TOKENS + (MAX_WIN_TOKENS - MIN_WIN_TOKENS) * step / STEPS
    return max(1, int(tokens) // BLK)


def main():
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    raw = LongCtxLM().cuda().bfloat16()
    model = DistributedDataParallel(torch.compile(raw), device_ids=[int(os.environ["LOCAL_RANK"])])
    matrices = [p for p in raw.layers.parameters() if p.ndim == 2]
    others = [p for p in raw.layers.parameters() if p.ndim < 2] + [raw.tok.weight] + list(raw.ln_f.parameters())
    opts = [torch.optim.AdamW(others, lr=0.006, betas=(0.9, 0.95), weight_decay=0.1), Muon(matrices)]
    base = [[g["lr"] for g in o.param_groups] for o in opts]

    win = torch.tensor(window_blocks_at(0), dtype=torch.int32, device="cuda")
    win_host = window_blocks_at(0)
    data = stream("data/fineweb10B/fineweb_train_*.bin", rank, world)
    t0 = time.perf_counter()
    for step in range(STEPS):
        w = window_blocks_at(step)
        if w != win_host:
            win.copy_(torch.tensor(w, dtype=torch.int32).pin_memory(), non_blocking=True)
            win_host = w
        x, y = next(data)
        loss = model(x, y, win)
        loss.backward()
        s = lr_at(step)
        for o, lrs in zip(opts, base):
            for g, l0 in zip(o.param_groups, lrs):
                g["lr"] = l0 * s
            o.step()
        model.zero_grad(set_to_none=True)
        if step % 200 == 199 and rank == 0:
            torch.cuda.synchronize()
            print(f"step {step + 1}/{STEPS} window={w * BLK} elapsed={time.perf_counter() - t0:.0f}s")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
