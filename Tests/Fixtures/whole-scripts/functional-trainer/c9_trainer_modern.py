"""
trainer/pretrain_flex.py -- research-lab pretraining harness (dataclass configs, Trainer class,
callbacks, explicit torch.distributed data parallelism without DDP).
"""
import math
import os
import glob
import time
from dataclasses import dataclass, field

import torch
torch.cuda.memory._set_allocator_settings("expandable_segments:True")   # before the first CUDA allocation
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist
from torch.nn.attention.flex_attention import BlockMask, flex_attention


@dataclass
class ArchConfig:
    vocab: int = 50257; dim: int = 768; depth: int = 12; heads: int = 6; n_value_tables: int = 3


@dataclass
class SequenceConfig:
    train_len: int = 48 * 1024          # one packed stream per rank
    eval_len: int = 4 * 64 * 1024       # evaluation streams are 4x longer than the 64K baseline
    block: int = 128


@dataclass
class OptimConfig:
    lr_embed: float = 0.6
    lr_readout: float = 0.008
    lr_scalar: float = 0.04
    lr_hidden: float = 0.05
    betas: tuple = (0.8, 0.95)
    eps: float = 1e-10
    momentum_from: float = 0.85; momentum_to: float = 0.95; momentum_steps: int = 300
    decay_frac: float = 0.4; final_lr_frac: float = 0.1


@dataclass
class TrainerConfig:
    arch: ArchConfig = field(default_factory=ArchConfig)
    seq: SequenceConfig = field(default_factory=SequenceConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    steps: int = 1770
    eval_every: int = 125
    eval_tokens: int = 10485760


# ======================================================================== fp8 readout
class ScaledFP8Matmul(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, sx, sw, sg):
        xq, wq = (x * sx).to(torch.float8_e4m3fn), (w * sw).to(torch.float8_e4m3fn)
        ctx.save_for_backward(xq, wq)
        ctx.scales = (sx, sw, sg)
        one = lambda s: torch.tensor(1.0 / s, dtype=torch.float32, device=x.device)
        return torch._scaled_mm(xq, wq.t(), out_dtype=torch.bfloat16, scale_a=one(sx), scale_b=one(sw), use_fast_accum=True)

    @staticmethod
    def backward(ctx, gy):
        xq, wq = ctx.saved_tensors
        sx, sw, sg = ctx.scales
        one = lambda s: torch.tensor(1.0 / s, dtype=torch.float32, device=gy.device)
        gq = (gy.contiguous() * sg).to(torch.float8_e5m2)
        dx = torch._scaled_mm(gq, wq.t().contiguous().t(), out_dtype=torch.bfloat16, scale_a=one(sg), scale_b=one(sw))
        dw = torch._scaled_mm(xq.t().contiguous(), gq.t().contiguous().t(), out_dtype=torch.float32,
                              scale_a=one(sx), scale_b=one(sg)).t()
        return dx, dw, None, None, None


class Dense(nn.Linear):
    def __init__(self, i, o, fp8=None):
        super().__init__(i, o, bias=False)
        self.fp8 = fp8

    def reset_parameters(self):
        std = 0.5 / math.sqrt(self.in_features)
        nn.init.uniform_(self.weight, -math.sqrt(3) * std, math.sqrt(3) * std)

    def forward(self, x):
        if self.fp8 and self.training:
            y = ScaledFP8Matmul.apply(x.flatten(0, -2), self.weight, *self.fp8)
            return y.view(*x.shape[:-1], -1)
        return F.linear(x, self.weight.type_as(x))


# ======================================================================== model
def rn(t):
    return F.rms_norm(t, (t.size(-1),))


class HalfRope(nn.Module):
    def __init__(self, hd, max_len):
        super().__init__()
        quarter = hd // 4
        w = (1.0 / 1024) ** torch.linspace(0, 1, quarter)
        w = torch.cat([w, torch.zeros(quarter)])                 # second half of the pairs never rotates
        th = torch.arange(max_len, dtype=torch.float32)[:, None] * w[None]
        self.register_buffer("c", th.cos(), persistent=False)
        self.register_buffer("s", th.sin(), persistent=False)

    def forward(self, t):
        T = t.size(-3)
        c, s = self.c[None, :T, None], self.s[None, :T, None]
        p, q = t.float().chunk(2, dim=-1)
        return torch.cat((p * c + q * s, q * c - p * s), -1).type_as(t)


class SelfAttention(nn.Module):
    def __init__(self, a: ArchConfig, max_len):
        super().__init__()
        self.h = a.heads
        self.q, self.k, self.v, self.o = (Dense(a.dim, a.dim) for _ in range(4))
        self.o.weight.detach().zero_()
        self.vmix = nn.Parameter(torch.tensor([0.5, 0.5]))
        self.rope = HalfRope(a.dim // a.heads, max_len)

    def forward(self, x, vt, mask):
        B, T, _ = x.shape
        q, k, v = (m(x).view(B, T, self.h, -1) for m in (self.q, self.k, self.v))
        v = self.vmix[0] * v + (self.vmix[1] * vt.view_as(v) if vt is not None else 0)
        q, k = self.rope(rn(q)), self.rope(rn(k))
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=mask)
        return self.o(y.transpose(1, 2).reshape(B, T, -1))


class Layer(nn.Module):
    def __init__(self, a: ArchConfig, max_len):
        super().__init__()
        self.attn = SelfAttention(a, max_len)
        self.fc, self.proj = Dense(a.dim, 4 * a.dim), Dense(4 * a.dim, a.dim)
        self.proj.weight.detach().zero_()
        self.carry = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, e, vt, mask):
        x = self.carry[0] * x + self.carry[1] * e
        x = x + self.attn(rn(x), vt, mask)
        return x + self.proj(F.relu(self.fc(rn(x))).square())


class FlexLM(nn.Module):
    def __init__(self, a: ArchConfig, sc: SequenceConfig):
        super().__init__()
        self.a, self.sc = a, sc
        max_len = max(sc.train_len, sc.eval_len)
        self.tok = nn.Embedding(a.vocab, a.dim)
        self.vtabs = nn.ModuleList(nn.Embedding(a.vocab, a.dim) for _ in range(a.n_value_tables))
        self.layers = nn.ModuleList(Layer(a, max_len) for _ in range(a.depth))
        vpad = ((a.vocab + 127) // 128) * 128
        self.out = Dense(a.dim, vpad, fp8=(2.0, 2.0 ** 9, 2.0 ** 19))
        self.out.weight.detach().zero_()

    def masks(self, ids, win_blocks):
        B = self.sc.block
        docs = (ids == 50256).cumsum(0)
        doc_causal = lambda b, h, qi, ki: (qi >= ki) & (docs[qi] == docs[ki])
        nb = ids.numel() // B
        lo, hi = docs.view(nb, B)[:, 0], docs.view(nb, B)[:, -1]
        kb = torch.arange(nb, dtype=torch.int32, device=ids.device)
        qb = kb[:, None]
        some = (qb >= kb) & (lo[:, None] <= hi) & (hi[:, None] >= lo)
        every = (qb > kb) & (lo[:, None] == hi) & (hi[:, None] == lo)

        def nearest_first(m):
            key = m.to(torch.int32) * (kb + 1)            # visible blocks sorted by descending kv index
            idx = key.argsort(dim=-1, descending=True).to(torch.int32)
            return m.sum(-1, dtype=torch.int32)[None, None].contiguous(), idx[None, None].contiguous()

        pn, pi = nearest_first(some & ~every)
        fn, fi = nearest_first(every)

        def clipped(n):
            return BlockMask.from_kv_blocks(torch.clamp_max(pn, torch.clamp_min(n - fn, 1)), pi,
                                            torch.clamp_max(fn, n - 1), fi, BLOCK_SIZE=B, mask_mod=doc_causal)
        return clipped(win_blocks), clipped(win_blocks // 2)

    def forward(self, ids, targets, win_blocks):
        wide, narrow = self.masks(ids, win_blocks)
        e = rn(self.tok(ids)[None])
        vt = [t(ids) for t in self.vtabs]
        n = len(vt)
        per_layer = vt + [None] * (self.a.depth - 2 * n) + vt
        x = e
        for i, layer in enumerate(self.layers):
            mask = wide if i % 4 == 0 or i == self.a.depth - 1 else narrow
            x = layer(x, e, per_layer[i], mask)
        z = self.out(rn(x)).float()
        z = torch.sigmoid(z / 7.5) * 30
        return F.cross_entropy(z.view(-1, z.size(-1)), targets)


# ======================================================================== optimizer
def ns5(G):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    flip = G.size(-2) > G.size(-1)
    if flip:
        X = X.mT
    X = X / (X.norm() + 1e-7)
    for _ in range(5):
        A = X @ X.mT
        B = torch.addmm(A, A, A, beta=b, alpha=c)
        X = torch.addmm(X, B, X, beta=a)
    return X.mT if flip else X


class ShardedOrtho(torch.optim.Optimizer):
    def __init__(self, params, lr, rank, world, momentum=0.95):
        params = list(params)
        self.rank, self.world = rank, world
        groups = []
        for numel in {p.numel() for p in params}:
            buf = torch.empty(world, numel, dtype=torch.bfloat16, device="cuda")
            groups.append(dict(params=[p for p in params if p.numel() == numel], buf=buf, views=[buf[r] for r in range(world)]))
        super().__init__(groups, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            ps, lr, mu = g["params"], g["lr"], g["momentum"]
            inflight = None

            def land(fut, owners):
                fut.wait()
                for p, u in zip(owners, g["views"]):
                    p.add_(u.view_as(p), alpha=-lr * max(1, p.size(0) / p.size(1)) ** 0.5)

            for start in range(0, len(ps), self.world):
                mine = start + self.rank
                if mine < len(ps):
                    p = ps[mine]
                    m = self.state[p].setdefault("mom", torch.zeros_like(p))
                    m.lerp_(p.grad, 1 - mu)
                    u = ns5(p.grad.lerp_(m, mu)).flatten()
                else:
                    u = g["views"][self.rank]
                if inflight is not None:
                    land(*inflight)
                inflight = (dist.all_gather_into_tensor(g["buf"], u, async_op=True), ps[start:start + self.world])
            if inflight is not None:
                land(*inflight)


# ======================================================================== data
def load_pinned(path):
    n = int(torch.from_file(path, False, 256, dtype=torch.int32)[2])
    t = torch.empty(n, dtype=torch.uint16, pin_memory=True)
    with open(path, "rb", buffering=0) as f:
        f.seek(1024)
        f.readinto(t.numpy())
    return t


def packed(pattern, length, rank, world):
    for path in sorted(glob.glob(pattern)):
        t, pos = load_pinned(path), 0
        while pos + world * length + 1 < t.numel():
            s = t[pos + rank * length: pos + (rank + 1) * length + 1]
            pos += world * length
            yield s[:-1].to("cuda", dtype=torch.int32, non_blocking=True), s[1:].to("cuda", dtype=torch.int64, non_blocking=True)


# ======================================================================== trainer
class PrintEval:  # callback protocol: on_eval(trainer, step, loss)
    def on_eval(self, trainer, step, loss):
        if trainer.rank == 0:
            print(f"step {step}/{trainer.cfg.steps} val_loss {loss:.4f} elapsed {time.perf_counter() - trainer.t0:.0f}s")


class Trainer:
    def __init__(self, cfg: TrainerConfig, callbacks=()):
        self.cfg, self.callbacks = cfg, list(callbacks)
        dev = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
        torch.cuda.set_device(dev)
        dist.init_process_group("nccl", device_id=dev)
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        m = FlexLM(cfg.arch, cfg.seq).cuda()
        for mod in m.modules():
            if isinstance(mod, nn.Embedding):
                mod.bfloat16()
        for p in m.parameters():
            dist.broadcast(p.detach(), 0)
        self.model = m
        oc = cfg.optim
        hidden = [p for p in m.layers.parameters() if p.ndim >= 2]
        embeds = [m.tok.weight, *m.vtabs.parameters()]
        scalars = [p for p in m.parameters() if p.ndim < 2]
        self.adam = torch.optim.Adam([dict(params=[m.out.weight], lr=oc.lr_readout), dict(params=embeds, lr=oc.lr_embed),
                                      dict(params=scalars, lr=oc.lr_scalar)], betas=oc.betas, eps=oc.eps, fused=True)
        self.ortho = ShardedOrtho(hidden, lr=oc.lr_hidden, rank=self.rank, world=self.world)
        self.opts = [self.adam, self.ortho]
        self.scheds = [torch.optim.lr_scheduler.LambdaLR(o, self.lr_factor) for o in self.opts]
        self.net = torch.compile(m, dynamic=False)
        self.win = torch.ones((), dtype=torch.int32, device="cuda")
        self.win_host = 1

    def lr_factor(self, step):
        left = 1 - step / self.cfg.steps
        w = min(left / self.cfg.optim.decay_frac, 1.0)
        return w + (1 - w) * self.cfg.optim.final_lr_frac

    def set_window(self, step):
        blocks = max(1, math.ceil(1728 * step / self.cfg.steps / 128))
        if blocks != self.win_host:                               # host-side compare; no device sync
            self.win.copy_(torch.tensor(blocks, dtype=torch.int32), non_blocking=True)
            self.win_host = blocks

    @torch.no_grad()
    def evaluate(self, step):
        L = self.cfg.seq.eval_len
        n = self.cfg.eval_tokens // (self.world * L)
        it = packed(os.environ["NANOGPT_VAL_FILES"], L, self.rank, self.world)
        self.net.eval()
        loss = sum(self.net(*next(it), self.win) for _ in range(n)) / n
        dist.all_reduce(loss, op=dist.ReduceOp.AVG)
        self.net.train()
        for cb in self.callbacks:
            cb.on_eval(self, step, loss.item())

    def fit(self):
        oc, steps = self.cfg.optim, self.cfg.steps
        train = packed(os.environ["NANOGPT_TRAIN_FILES"], self.cfg.seq.train_len, self.rank, self.world)
        self.t0 = time.perf_counter()
        for step in range(steps + 1):
            self.set_window(step)
            if step % self.cfg.eval_every == 0 or step == steps:
                self.evaluate(step)
            if step == steps:
                break
            self.net(*next(train), self.win).backward()
            for p in self.model.parameters():
                dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)
                p.grad.div_(self.world)
            k = min(step / oc.momentum_steps, 1)
            for g in self.ortho.param_groups:
                g["momentum"] = oc.momentum_from + k * (oc.momentum_to - oc.momentum_from)
            for o, s in zip(self.opts, self.scheds):
                o.step()
                s.step()
            self.model.zero_grad(set_to_none=True)
        dist.destroy_process_group()


if __name__ == "__main__":
    Trainer(TrainerConfig(), callbacks=[PrintEval()]).fit()
