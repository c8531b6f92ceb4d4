"""Lightning-flavoured (but dependency-free) speedrun trainer.

A LitModule owns the network, the optimizers and the per-step hooks; a tiny
Fabric-like Runner owns the process group, compilation and the loop.
"""
import os
import glob
import time
from typing import NamedTuple

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.nn.attention.flex_attention import BlockMask, flex_attention


class Recipe(NamedTuple):
    vocab: int = 50304
    width: int = 768
    depth: int = 12
    heads: int = 6
    eot: int = 50256
    seq_len: int = 64 * 1024
    steps: int = 1395
    decay_steps: int = 450
    lr_embed: float = 0.6
    lr_head: float = 0.008
    lr_matrix: float = 0.05
    lr_scalar: float = 0.04
    window_min: int = 64
    window_max: int = 1792
    block: int = 128


def unit_rms(t):
    return F.rms_norm(t, (t.size(-1),))


class BF16Dense(nn.Linear):
    """fp32 master weight, matmul in the activation dtype."""

    def __init__(self, fan_in, fan_out, zero=False):
        super().__init__(fan_in, fan_out, bias=False)
        if zero:
            with torch.no_grad():
                self.weight.zero_()

    def forward(self, x):
        return F.linear(x, self.weight.to(x.dtype))


class PosSpin(nn.Module):
    def __init__(self, head_dim, base=10000.0):
        super().__init__()
        self.register_buffer("omega", 1.0 / base ** (torch.arange(0, head_dim, 2).float() / head_dim), persistent=False)
        self.T, self.c, self.s = -1, None, None

    def forward(self, x):  # x: (B, T, H, D)
        T = x.size(1)
        if T != self.T:
            phase = torch.outer(torch.arange(T, device=x.device).float(), self.omega)
            self.T, self.c, self.s = T, phase.cos()[None, :, None], phase.sin()[None, :, None]
        x1, x2 = x.chunk(2, dim=-1)
        return torch.cat((x1 * self.c + x2 * self.s, x2 * self.c - x1 * self.s), dim=-1).type_as(x)


class Mixer(nn.Module):
    def __init__(self, r: Recipe):
        super().__init__()
        self.h = r.heads
        self.wq, self.wk, self.wv = (BF16Dense(r.width, r.width) for _ in range(3))
        self.wo = BF16Dense(r.width, r.width, zero=True)
        self.spin = PosSpin(r.width // r.heads)
        self.vgain = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, x, vtok, mask):
        B, T, C = x.shape
        q, k, v = (w(x).view(B, T, self.h, -1) for w in (self.wq, self.wk, self.wv))
        v = self.vgain[0] * v + self.vgain[1] * vtok.view_as(v)
        q, k = self.spin(unit_rms(q)), self.spin(unit_rms(k))
        o = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=mask)
        return self.wo(o.transpose(1, 2).reshape(B, T, C))


class Channel(nn.Module):
    def __init__(self, r: Recipe):
        super().__init__()
        self.up = BF16Dense(r.width, 4 * r.width)
        self.down = BF16Dense(4 * r.width, r.width, zero=True)

    def forward(self, x):
        return self.down(F.relu(self.up(x)).pow(2))


class Cell(nn.Module):
    def __init__(self, r: Recipe):
        super().__init__()
        self.mixer, self.channel = Mixer(r), Channel(r)
        self.carry = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, base, vtok, mask):
        x = self.carry[0] * x + self.carry[1] * base
        x = x + self.mixer(unit_rms(x), vtok, mask)
        return x + self.channel(unit_rms(x))


class ValueBank(nn.Module):
    def __init__(self, r: Recipe):
        super().__init__()
        self.bank = nn.ModuleList(nn.Embedding(r.vocab, r.width) for _ in range(r.depth // 2))

    def forward(self, ids):
        outs = [e(ids) for e in self.bank]
        return outs + outs[::-1]


class Net(nn.Module):
    def __init__(self, r: Recipe):
        super().__init__()
        self.r = r
        self.tok = nn.Embedding(r.vocab, r.width)
        self.values = ValueBank(r)
        self.cells = nn.ModuleList(Cell(r) for _ in range(r.depth))
        self.bridge = nn.Parameter(torch.ones(r.depth // 2))
        self.readout = BF16Dense(r.width, r.vocab, zero=True)

    def block_mask(self, ids, n_win):
        bs = self.r.block
        doc = (ids == self.r.eot).cumsum(0)
        d0, d1 = doc.view(-1, bs)[:, 0].contiguous(), doc.view(-1, bs)[:, -1].contiguous()
        idx = torch.arange(ids.numel() // bs, dtype=torch.int32, device=ids.device)
        q, k = idx[:, None], idx[None, :]
        in_win = (q - k) < n_win
        touch = (q >= k) & in_win & (d0[:, None] <= d1[None, :]) & (d0[None, :] <= d1[:, None])
        clean = (q > k) & in_win & (d0[:, None] == d1[None, :]) & (d0[None, :] == d1[:, None])

        def pack(m):
            return (m.sum(-1, dtype=torch.int32)[None, None].contiguous(),
                    torch.argsort(m, dim=-1, descending=True, stable=True).to(torch.int32)[None, None].contiguous())

        def doc_causal(b, h, qi, ki):
            return (qi >= ki) & (doc[qi] == doc[ki])

        kv_n, kv_i = pack(touch & ~clean)
        full_n, full_i = pack(clean)
        return BlockMask.from_kv_blocks(kv_n, kv_i, full_n, full_i, BLOCK_SIZE=bs, mask_mod=doc_causal)

    def forward(self, ids, tgt, n_win):
        mask = self.block_mask(ids, n_win)
        h = base = unit_rms(self.tok(ids[None]))
        vtoks = self.values(ids[None])
        half = self.r.depth // 2
        stash = []
        for i in range(half):
            h = self.cells[i](h, base, vtoks[i], mask)
            stash.append(h)
        for i in range(half, self.r.depth):
            h = h + self.bridge[i - half] * stash.pop()
            h = self.cells[i](h, base, vtoks[i], mask)
        z = self.readout(unit_rms(h))
        z = (30 * torch.tanh(z / 30)).float()
        return F.cross_entropy(z.view(-1, z.size(-1)), tgt)


# ------------------------------------------------------------------ optimizer
def ns_orth(G, k=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    t = G.size(0) > G.size(1)
    X = X.mT if t else X
    for _ in range(k):
        A = X @ X.mT
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * (A @ A)) @ X
    return X.mT if t else X


class Polaris(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.95):
        params = list(params)
        self.rank, self.ws = dist.get_rank(), dist.get_world_size()
        groups = [dict(params=[p for p in params if p.numel() == n],
                       slots=[torch.empty(n, dtype=torch.bfloat16, device="cuda") for _ in range(self.ws)])
                  for n in sorted({p.numel() for p in params})]
        super().__init__(groups, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for grp in self.param_groups:
            ps, slots, lr, m = grp["params"], grp["slots"], grp["lr"], grp["momentum"]
            assert len(ps) % self.ws == 0
            prev, fut = None, None
            for i in range(0, len(ps), self.ws):
                p = ps[i + self.rank]
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.lerp_(p.grad, 1 - m)
                u = ns_orth(p.grad.lerp_(buf, m)).flatten()
                if prev is not None:
                    fut.wait()
                    for q, s in zip(prev, slots):
                        q.add_(s.view_as(q), alpha=-lr * max(1.0, q.size(0) / q.size(1)) ** 0.5)
                fut = dist.all_gather(slots, u, async_op=True)
                prev = ps[i:i + self.ws]
            fut.wait()
            for q, s in zip(prev, slots):
                q.add_(s.view_as(q), alpha=-lr * max(1.0, q.size(0) / q.size(1)) ** 0.5)


# ------------------------------------------------------------------ lit module
class LitSpeedrun(nn.Module):
    def __init__(self, r: Recipe):
        super().__init__()
        self.r = r
        self.net = Net(r)

    def configure_optimizers(self):
        r, net = self.r, self.net
        mats = [p for p in net.cells.parameters() if p.ndim == 2]
        scal = [p for p in net.cells.parameters() if p.ndim < 2] + [net.bridge]
        adam = lambda ps, lr: torch.optim.Adam(ps, lr=lr, betas=(0.8, 0.95), fused=True)
        opts = [adam([net.tok.weight, *net.values.parameters()], r.lr_embed), adam([net.readout.weight], r.lr_head),
                Polaris(mats, r.lr_matrix), adam(scal, r.lr_scalar)]

        def shape(step):
            return min(1.0, (r.steps - step) / r.decay_steps)
        return opts, [torch.optim.lr_scheduler.LambdaLR(o, shape) for o in opts]

    def window_blocks(self, step):
        r = self.r
        tokens = r.window_min + (r.window_max - r.window_min) * step / r.steps
        return int(tokens // r.block) or 1

    def on_before_optimizer_step(self, step, opts):
        ramp = min(step / 300, 1.0)
        for g in opts[2].param_groups:
            g["momentum"] = 0.85 * (1 - ramp) + 0.95 * ramp


# ------------------------------------------------------------------ data
def pinned_tokens(path):
    hdr = torch.from_file(path, False, 256, dtype=torch.int32)
    assert hdr[0] == 20240520
    toks = torch.empty(int(hdr[2]), dtype=torch.uint16, pin_memory=True)
    with open(path, "rb", buffering=0) as f:
        f.seek(1024)
        f.readinto(toks.numpy())
    return toks


def loader(pattern, T, rank, ws):
    for path in sorted(glob.glob(pattern)):
        toks, at = pinned_tokens(path), rank * T
        while at + T + 1 <= len(toks):
            seg = toks[at:at + T + 1]
            yield seg[:-1].to("cuda", torch.int32, non_blocking=True), seg[1:].to("cuda", torch.int64, non_blocking=True)
            at += ws * T


# ------------------------------------------------------------------ runner
class Runner:
    def __init__(self, lit: LitSpeedrun):
        dist.init_process_group("nccl")
        self.rank, self.ws = dist.get_rank(), dist.get_world_size()
        self.dev = int(os.environ["LOCAL_RANK"])
        torch.cuda.set_device(self.dev)
        self.lit = lit.cuda().bfloat16()
        for m in self.lit.modules():
            if isinstance(m, BF16Dense):
                m.float()
        self.opts, self.scheds = self.lit.configure_optimizers()
        self.model = DistributedDataParallel(torch.compile(self.lit.net), device_ids=[self.dev],
                                             static_graph=True, bucket_cap_mb=64)

    def fit(self):
        r = self.lit.r
        n_win = torch.tensor(1, dtype=torch.int32, device="cuda")
        last_win = 1
        train = loader(os.environ["NANOGPT_TRAIN_FILES"], r.seq_len, self.rank, self.ws)
        t0 = time.perf_counter()
        for step in range(r.steps + 1):
            w = self.lit.window_blocks(step)
            if w != last_win:
                n_win.copy_(w, non_blocking=True)
                last_win = w
            if step % 125 == 0 or step == r.steps:
                self.validate(n_win, step, t0)
            if step == r.steps:
                break
            if step == 5:
                torch.compiler.set_stance("eager_on_recompile")
            self.model(*next(train), n_win).backward()
            self.lit.on_before_optimizer_step(step, self.opts)
            for o, s in zip(self.opts, self.scheds):
                o.step()
                s.step()
            self.model.zero_grad(set_to_none=True)
        dist.destroy_process_group()

    @torch.no_grad()
    def validate(self, n_win, step, t0):
        r = self.lit.r
        self.model.eval()
        n = int(os.environ["NANOGPT_VAL_TOKENS"]) // (r.seq_len * self.ws)
        it = loader(os.environ["NANOGPT_VAL_FILES"], r.seq_len, self.rank, self.ws)
        acc = sum(self.model(*next(it), n_win) for _ in range(n)) / n
        dist.all_reduce(acc, op=dist.ReduceOp.AVG)
        if self.rank == 0:
            print(f"step {step}/{r.steps} val_loss {acc.item():.4f} time {time.perf_counter() - t0:.1f}s")
        self.model.train()


if __name__ == "__main__":
    Runner(LitSpeedrun(Recipe())).fit()
