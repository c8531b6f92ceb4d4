"""Hourglass LM trainer.

A symmetric (down/up) decoder stack with mirrored token-value tables, a hand-built
block-sparse attention layout and an orthogonalised-momentum optimizer whose work
is split over data-parallel ranks.
"""
import glob
import os
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import BlockMask, flex_attention


@dataclass
class HourglassSpec:
    vocab: int = 50304
    width: int = 768
    depth: int = 12
    heads: int = 6
    rotary_fraction: float = 0.5      # only part of each head is position-encoded
    rotary_base: float = 10000.0
    softcap: float = 30.0
    qk_temperature: float = 0.12
    eot: int = 50256
    tile: int = 128


@dataclass
class RunSpec:
    shards: str = "tokens/train_*.bin"
    row_tokens: int = 64 * 1024
    iterations: int = 1750
    cooldown_frac: float = 0.35
    window_start: int = 64
    window_end: int = 1792
    lrs: dict = field(default_factory=lambda: dict(embed=0.6, head=0.008, gains=0.04, matrices=0.04))


def unit_rms(t):
    return F.rms_norm(t, (t.size(-1),))


def partial_rope(x, base, fraction):
    """GPT-NeoX style: rotate the leading `fraction` of the head dims, leave the rest untouched."""
    hd = x.size(-1)
    rd = int(hd * fraction)
    inv = 1.0 / base ** (torch.arange(0, rd, 2, device=x.device, dtype=torch.float32) / rd)
    ang = torch.arange(x.size(1), device=x.device, dtype=torch.float32)[:, None] * inv
    cos, sin = ang.cos()[None, :, None], ang.sin()[None, :, None]
    rot, keep = x[..., :rd].float(), x[..., rd:]
    r1, r2 = rot.chunk(2, dim=-1)
    rot = torch.cat([r1 * cos - r2 * sin, r2 * cos + r1 * sin], dim=-1)
    return torch.cat([rot.type_as(x), keep], dim=-1)


class Mixer(nn.Module):
    """Token mixing: fused projection -> q, k, v; values are blended with a token table."""

    def __init__(self, s: HourglassSpec):
        super().__init__()
        self.s = s
        self.c_attn = nn.Linear(s.width, 3 * s.width, bias=False)   # one fused (3*width, width) matrix
        self.c_out = nn.Linear(s.width, s.width, bias=False)
        nn.init.zeros_(self.c_out.weight)
        self.blend = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, table, layout):
        B, T, D = x.shape
        q, k, v = self.c_attn(x).split(D, dim=-1)
        q, k, v = (z.view(B, T, self.s.heads, -1) for z in (q, k, v))
        v = (1.0 - self.blend) * v + self.blend * table.view_as(v)
        q = partial_rope(unit_rms(q), self.s.rotary_base, self.s.rotary_fraction)
        k = partial_rope(unit_rms(k), self.s.rotary_base, self.s.rotary_fraction)
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2),
                           block_mask=layout, scale=self.s.qk_temperature)
        return self.c_out(y.transpose(1, 2).reshape(B, T, D))


class Channel(nn.Module):
    def __init__(self, s: HourglassSpec):
        super().__init__()
        self.fc = nn.Linear(s.width, 4 * s.width, bias=False)
        self.proj = nn.Linear(4 * s.width, s.width, bias=False)
        nn.init.zeros_(self.proj.weight)

    def forward(self, x):
        return self.proj(F.relu(self.fc(x)) ** 2)


class Cell(nn.Module):
    def __init__(self, s: HourglassSpec):
        super().__init__()
        self.mixer, self.channel = Mixer(s), Channel(s)

    def forward(self, x, table, layout):
        x = x + self.mixer(unit_rms(x), table, layout)
        return x + self.channel(unit_rms(x))


class Hourglass(nn.Module):
    def __init__(self, s: HourglassSpec):
        super().__init__()
        self.s = s
        self.half = s.depth // 2
        self.wte = nn.Embedding(s.vocab, s.width)
        self.value_bank = nn.Embedding(s.vocab, s.width * self.half)  # half-depth tables, shared mirror-wise
        self.cells = nn.ModuleList(Cell(s) for _ in range(s.depth))
        self.rung = nn.Parameter(torch.ones(s.depth - self.half))
        self.readout = nn.Linear(s.width, s.vocab, bias=False)
        nn.init.zeros_(self.readout.weight)

    def layout(self, ids, window):
        tile = self.s.tile
        doc = torch.cumsum((ids == self.s.eot).to(torch.int32), 0)
        d_lo, d_hi = doc.view(-1, tile)[:, 0], doc.view(-1, tile)[:, -1]
        nt = ids.numel() // tile
        qi = torch.arange(nt, device=ids.device)[:, None]
        ki = torch.arange(nt, device=ids.device)[None, :]
        tiles_back = (window - 1) // tile + 2   # enough tiles to cover any span < window
        live = (qi >= ki) & (qi - ki < tiles_back) & (d_lo[qi] <= d_hi[ki]) & (d_lo[ki] <= d_hi[qi])

        def token_keep(b, h, q, kv):
            return (q >= kv) & (doc[q] == doc[kv]) & (q - kv < window)

        counts = live.sum(-1).to(torch.int32)
        order = torch.argsort(live.to(torch.int32), dim=-1, descending=True, stable=True).to(torch.int32)
        return BlockMask.from_kv_blocks(counts[None, None].contiguous(), order[None, None].contiguous(),
                                        BLOCK_SIZE=tile, mask_mod=token_keep)

    def forward(self, ids, targets, window):
        lay = self.layout(ids, window)
        x = unit_rms(self.wte(ids)[None])
        tables = self.value_bank(ids)[None].chunk(self.half, dim=-1)
        pushed = []
        for i in range(self.half):
            x = self.cells[i](x, tables[i], lay)
            pushed.append(x)
        for j in range(self.s.depth - self.half):
            x = x + self.rung[j] * pushed.pop()
            x = self.cells[self.half + j](x, tables[self.half - 1 - j], lay)
        z = self.readout(unit_rms(x)).float()
        z = self.s.softcap * torch.tanh(z / self.s.softcap)
        return F.cross_entropy(z.view(-1, z.size(-1)), targets)


# --------------------------------------------------------------------------- optimizer

def ns5(M, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = M.bfloat16()
    X /= X.norm() + 1e-7
    tr = M.size(0) > M.size(1)
    if tr:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        X = a * X + b * A @ X + c * A @ (A @ X)
    return X.T if tr else X


class SplitRankOrtho(torch.optim.Optimizer):
    """Rank r handles matrices r, r+W, r+2W, ...; results are summed into every rank with one collective."""

    def __init__(self, params, lr, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.r, self.w = dist.get_rank(), dist.get_world_size()

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            ps = g["params"]
            total = sum(p.numel() for p in ps)
            out = torch.zeros(total, device=ps[0].device, dtype=torch.bfloat16)
            at = 0
            for i, p in enumerate(ps):
                if i % self.w == self.r:
                    m = self.state[p].setdefault("m", torch.zeros_like(p))
                    m.mul_(g["momentum"]).add_(p.grad)
                    d = p.grad + g["momentum"] * m
                    if d.size(0) == 3 * d.size(1):   # fused q|k|v: orthogonalize each block on its own
                        d = torch.cat([ns5(blk) for blk in d.split(d.size(1))])
                    else:
                        d = ns5(d) * max(1.0, d.size(0) / d.size(1)) ** 0.5
                    out[at:at + p.numel()] = d.flatten()
                at += p.numel()
            dist.all_reduce(out, op=dist.ReduceOp.SUM)
            at = 0
            for p in ps:
                p.add_(out[at:at + p.numel()].view_as(p).type_as(p), alpha=-g["lr"])
                at += p.numel()


# --------------------------------------------------------------------------- trainer

class Trainer:
    def __init__(self, run: RunSpec, spec: HourglassSpec):
        self.run, self.spec = run, spec
        dist.init_process_group("nccl")
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
        self.net = Hourglass(spec).cuda()
        for p in self.net.parameters():
            dist.broadcast(p.data, 0)
        self.fwd = torch.compile(self.net)
        self.build_optim()

    def build_optim(self):
        n, L = self.net, self.run.lrs
        cell_params = list(n.cells.parameters())
        self.adam = torch.optim.Adam([
            dict(params=[n.wte.weight, n.value_bank.weight], lr=L["embed"]),
            dict(params=[n.readout.weight], lr=L["head"]),
            dict(params=[p for p in cell_params if p.ndim < 2] + [n.rung], lr=L["gains"]),
        ], betas=(0.9, 0.95))
        self.ortho = SplitRankOrtho([p for p in cell_params if p.ndim == 2], lr=L["matrices"])
        self.opts = [self.adam, self.ortho]
        cool_at = int(self.run.iterations * (1 - self.run.cooldown_frac))
        f = lambda it: float(np.interp(it, [0, cool_at, self.run.iterations], [1.0, 1.0, 0.1]))
        self.scheds = [torch.optim.lr_scheduler.LambdaLR(o, f) for o in self.opts]

    def batches(self):
        n = self.run.row_tokens
        for path in sorted(glob.glob(self.run.shards)):
            size = int(np.fromfile(path, dtype=np.int32, count=256)[2])
            arr = np.memmap(path, dtype=np.uint16, mode="r", offset=1024, shape=(size,))
            for s in range(self.rank * n, size - n - 1, n * self.world):
                t = torch.tensor(arr[s:s + n + 1].astype(np.int64), device="cuda")
                yield t[:-1], t[1:]

    def window_at(self, it):
        r = self.run
        w = r.window_start + (r.window_end - r.window_start) * it / r.iterations
        return torch.tensor(64 * int(w // 64), device="cuda", dtype=torch.int32)

    def fit(self):
        data = self.batches()
        start = time.time()
        for it in range(self.run.iterations):
            ids, tg = next(data)
            with torch.autocast("cuda", dtype=torch.bfloat16):
                loss = self.fwd(ids, tg, self.window_at(it))
            loss.backward()
            for p in self.net.parameters():
                dist.all_reduce(p.grad, op=dist.ReduceOp.AVG)
            self.ortho.param_groups[0]["momentum"] = 0.85 + 0.1 * min(1.0, it / 500)
            for o, s in zip(self.opts, self.scheds):
                o.step()
                s.step()
            self.net.zero_grad(set_to_none=True)
            if self.rank == 0 and it % 25 == 0:
                print(f"it {it:5d}  loss {loss.item():.4f}  {time.time() - start:7.1f}s")
        dist.destroy_process_group()


if __name__ == "__main__":
    Trainer(RunSpec(shards=os.environ.get("SHARDS", RunSpec.shards)), HourglassSpec()).fit()
