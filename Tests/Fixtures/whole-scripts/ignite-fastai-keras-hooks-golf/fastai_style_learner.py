"""
A small fastai-flavoured training harness for GPT-style language models.

The ``Learner`` owns the model, data and optimizer and runs the loop; all the
interesting behaviour (schedules, optimizer tweaks, mixed precision, eval) is
implemented as ``Callback`` subclasses that hook into the loop events:

    before_fit -> [before_batch -> after_pred -> after_loss -> after_backward
                   -> after_step -> after_batch]* -> after_fit
"""
import glob
import math
import os
import time
from contextlib import ExitStack
from functools import partial

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.nn.parallel import DistributedDataParallel as DDP


# ============================================================================
# model factories
# ============================================================================

def _rms(x):
    return F.rms_norm(x, (x.size(-1),))


class _Rope(nn.Module):
    def __init__(self, head_dim, base=10000.0):
        super().__init__()
        inv = 1.0 / base ** (torch.arange(0, head_dim, 2).float() / head_dim)
        self.register_buffer("inv", inv, persistent=False)

    def forward(self, x):  # x: B, T, H, D
        t = torch.arange(x.size(1), device=x.device, dtype=torch.float32)
        f = torch.outer(t, self.inv)
        c, s = f.cos()[None, :, None, :], f.sin()[None, :, None, :]
        a, b = x.float().chunk(2, dim=-1)
        return torch.cat([a * c + b * s, b * c - a * s], dim=-1).type_as(x)


class _Attn(nn.Module):
    def __init__(self, d, n_heads):
        super().__init__()
        self.nh = n_heads
        self.wq = nn.Linear(d, d, bias=False)
        self.wk = nn.Linear(d, d, bias=False)
        self.wv = nn.Linear(d, d, bias=False)
        self.wo = nn.Linear(d, d, bias=False)
        self.rope = _Rope(d // n_heads)
        # how much of the first layer's values to blend into this layer's values
        self.v_blend = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, v_first):
        B, T, C = x.shape
        q = self.wq(x).view(B, T, self.nh, -1)
        k = self.wk(x).view(B, T, self.nh, -1)
        v = self.wv(x).view(B, T, self.nh, -1)
        if v_first is None:
            v_first = v
        v = torch.lerp(v, v_first.view_as(v), self.v_blend)
        q, k = self.rope(q), self.rope(k)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.wo(y.transpose(1, 2).reshape(B, T, C)), v_first


class _MLP(nn.Module):
    def __init__(self, d, mult=4):
        super().__init__()
        self.fc = nn.Linear(d, mult * d, bias=False)
        self.proj = nn.Linear(mult * d, d, bias=False)

    def forward(self, x):
        return self.proj(F.gelu(self.fc(x)))


class _Block(nn.Module):
    def __init__(self, d, n_heads):
        super().__init__()
        self.attn = _Attn(d, n_heads)
        self.mlp = _MLP(d)
        self.keep = nn.Parameter(torch.ones(()))    # weight on the running stream
        self.inject = nn.Parameter(torch.zeros(()))  # weight on the embedding stream

    def forward(self, x, x0, v_first):
        x = self.keep * x + self.inject * x0
        a, v_first = self.attn(_rms(x), v_first)
        x = x + a
        x = x + self.mlp(_rms(x))
        return x, v_first


class _LM(nn.Module):
    def __init__(self, vocab, d, blocks, softcap, unet):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.body = nn.ModuleList(blocks)
        self.unembed = nn.Linear(d, vocab, bias=False)
        self.unembed.weight.data.fill_(0.0)
        self.softcap = softcap
        self.unet = unet
        if unet:
            self.skip_gain = nn.Parameter(torch.ones(len(blocks) // 2))

    def forward(self, idx):
        x = x0 = _rms(self.embed(idx))
        v_first = None
        if self.unet:
            half = len(self.body) // 2
            stash = []
            for blk in self.body[:half]:
                x, v_first = blk(x, x0, v_first)
                stash.append(x)
            for j, blk in enumerate(self.body[half:]):
                x = x + self.skip_gain[j] * stash.pop()
                x, v_first = blk(x, x0, v_first)
        else:
            for blk in self.body:
                x, v_first = blk(x, x0, v_first)
        logits = self.unembed(_rms(x))
        return self.softcap * torch.tanh(logits / self.softcap)


def block(d, n_heads):
    return _Block(d, n_heads)


def gpt(vocab=50257, d=768, n_layers=12, n_heads=12, softcap=30.0, unet=False):
    return _LM(vocab, d, [block(d, n_heads) for _ in range(n_layers)], softcap, unet)


# ============================================================================
# optimizer
# ============================================================================

def newton_schulz(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    X = X / (X.norm() + 1e-7)
    tall = G.size(0) > G.size(1)
    if tall:
        X = X.mT
    for _ in range(steps):
        S = X @ X.mT
        X = a * X + b * (S @ X) + c * (S @ (S @ X))
    return X.mT if tall else X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, nesterov=True, steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, steps=steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            mu = group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                buf = st.setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(mu).add_(p.grad)
                g = p.grad.add(buf, alpha=mu) if group["nesterov"] else buf
                u = newton_schulz(g, group["steps"])
                u = u * max(1.0, g.size(0) / g.size(1)) ** 0.5
                p.add_(u.to(p.dtype), alpha=-group["lr"])


class OptGroup:
    """Several optimizers presented as one (fastai's ``opt`` attribute)."""

    def __init__(self, opts):
        self.opts = opts
        for o in opts:
            for g in o.param_groups:
                g.setdefault("initial_lr", g["lr"])

    @property
    def param_groups(self):
        return [g for o in self.opts for g in o.param_groups]

    def step(self):
        for o in self.opts:
            o.step()

    def zero_grad(self):
        for o in self.opts:
            o.zero_grad(set_to_none=True)


def lm_opt_func(model):
    mats = [p for p in model.body.parameters() if p.dim() == 2]
    scal = [p for p in model.body.parameters() if p.dim() < 2]
    if model.unet:
        scal.append(model.skip_gain)
    return OptGroup([
        torch.optim.Adam([model.embed.weight], lr=0.3, betas=(0.9, 0.95)),
        torch.optim.Adam([model.unembed.weight], lr=0.002, betas=(0.9, 0.95)),
        Muon(mats, lr=0.02, momentum=0.95),
        torch.optim.Adam(scal, lr=0.02, betas=(0.9, 0.95)),
    ])


# ============================================================================
# learner + callbacks
# ============================================================================

class Callback:
    order = 0
    learn = None

    def __call__(self, event):
        fn = getattr(self, event, None)
        if fn is not None:
            fn()


class Learner:
    def __init__(self, model, train_dl, valid_dl, loss_func, opt_func, cbs=()):
        self.model, self.train_dl, self.valid_dl = model, train_dl, valid_dl
        self.loss_func, self.opt_func = loss_func, opt_func
        self.cbs = sorted(cbs, key=lambda c: c.order)
        for cb in self.cbs:
            cb.learn = self
        self.iter = 0

    @property
    def raw(self):
        return self.model.module if isinstance(self.model, DDP) else self.model

    def _event(self, name):
        for cb in self.cbs:
            cb(name)

    def one_batch(self, xb, yb):
        self.xb, self.yb = xb, yb
        self._event("before_batch")
        self.pred = self.model(self.xb)
        self._event("after_pred")
        self.loss = self.loss_func(self.pred, self.yb)
        self._event("after_loss")
        self.loss.backward()
        self._event("after_backward")
        self.opt.step()
        self._event("after_step")
        self.opt.zero_grad()
        self._event("after_batch")

    def fit(self, n_iter):
        self.n_iter = n_iter
        self.opt = self.opt_func(self.raw)
        self._event("before_fit")
        try:
            for self.iter in range(n_iter):
                xb, yb = next(self.train_dl)
                self.one_batch(xb, yb)
        finally:
            self._event("after_fit")


def lm_loss(logits, targets):
    return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


class BF16Autocast(Callback):
    order = -10

    def before_fit(self):
        self.ctx = torch.autocast("cuda", dtype=torch.bfloat16)

    def before_batch(self):
        self.ctx.__enter__()

    def after_loss(self):
        self.ctx.__exit__(None, None, None)


class AttentionKernel(Callback):
    """Pin the SDPA kernel for the whole run."""
    order = -20

    def before_fit(self):
        self.stack = ExitStack()
        self.stack.enter_context(sdpa_kernel([SDPBackend.FLASH_ATTENTION]))

    def after_fit(self):
        self.stack.close()


class HoldThenDecay(Callback):
    """Constant LR, then linear decay to zero over the last ``tail`` iterations."""

    def __init__(self, tail):
        self.tail = tail

    def before_batch(self):
        left = self.learn.n_iter - self.learn.iter
        mult = min(1.0, left / self.tail)
        for g in self.learn.opt.param_groups:
            g["lr"] = g["initial_lr"] * mult


class MuonMomentumRamp(Callback):
    def __init__(self, start=0.85, end=0.95, over=500):
        self.start, self.end, self.over = start, end, over

    def before_batch(self):
        frac = min(self.learn.iter / self.over, 1.0)
        muon = self.learn.opt.opts[2]
        for g in muon.param_groups:
            g["momentum"] = self.start + (self.end - self.start) * frac


class ValidEvery(Callback):
    order = 50

    def __init__(self, every, n_batches):
        self.every, self.n_batches = every, n_batches

    def _run(self):
        m = self.learn.model
        m.eval()
        tot = torch.zeros((), device="cuda")
        with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
            for _ in range(self.n_batches):
                xb, yb = next(self.learn.valid_dl)
                tot += lm_loss(m(xb), yb)
        tot /= self.n_batches
        dist.all_reduce(tot, op=dist.ReduceOp.AVG)
        if dist.get_rank() == 0:
            print(f"iter {self.learn.iter} valid_loss {tot.item():.4f}")
        m.train()

    def after_batch(self):
        if (self.learn.iter + 1) % self.every == 0:
            self._run()

    def after_fit(self):
        self._run()


class Timer(Callback):
    order = 60

    def before_fit(self):
        torch.cuda.synchronize()
        self.t0 = time.perf_counter()

    def after_batch(self):
        if dist.get_rank() == 0 and self.learn.iter % 25 == 0:
            dt = time.perf_counter() - self.t0
            print(f"iter {self.learn.iter} loss {self.learn.loss.item():.4f} elapsed {dt:.1f}s")


# ============================================================================
# data
# ============================================================================

def load_bin(path):
    with open(path, "rb") as f:
        head = np.frombuffer(f.read(1024), dtype=np.int32)
        assert head[0] == 20240520
        return np.frombuffer(f.read(), dtype=np.uint16)


def token_batches(pattern, bs, seq, rank, world):
    files = sorted(glob.glob(pattern))
    fi, toks = 0, load_bin(files[0])
    pos = rank * bs * seq
    while True:
        chunk = torch.from_numpy(toks[pos:pos + bs * seq + 1].astype(np.int64))
        yield chunk[:-1].view(bs, seq).cuda(), chunk[1:].view(bs, seq).cuda()
        pos += bs * seq * world
        if pos + bs * seq * world + 1 > len(toks):
            fi = (fi + 1) % len(files)
            toks, pos = load_bin(files[fi]), rank * bs * seq


# ============================================================================
# main
# ============================================================================

if __name__ == "__main__":
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))

    n_iter = int(os.environ.get("N_ITER", 3200))
    bs, seq = 32, 1024
    train_dl = token_batches(os.environ["TRAIN_BIN"], bs, seq, rank, world)
    valid_dl = token_batches(os.environ["VALID_BIN"], bs, seq, rank, world)

    model = gpt(vocab=50257, d=768, n_layers=12, n_heads=12).cuda()
    model = DDP(torch.compile(model), device_ids=[int(os.environ["LOCAL_RANK"])])

    learn = Learner(
        model, train_dl, valid_dl, lm_loss, lm_opt_func,
        cbs=[
            BF16Autocast(),
            AttentionKernel(),
            HoldThenDecay(tail=900),
            MuonMomentumRamp(start=0.85, end=0.95, over=500),
            ValidEvery(every=125, n_batches=20),
            Timer(),
        ],
    )
    learn.fit(n_iter)
    dist.destroy_process_group()
