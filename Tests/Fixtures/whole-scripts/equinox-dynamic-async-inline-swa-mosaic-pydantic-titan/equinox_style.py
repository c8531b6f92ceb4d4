"""
pico_lm: a small decoder-only language model written in a functional,
pytree-first style.  Modules are frozen dataclasses that only hold static
configuration; parameters live in nested dicts of tensors and are passed
explicitly to every `__call__`.  The optimizer is assembled from small
composable gradient transformations.

    python equinox_style.py --data "data/fineweb10B/fineweb_train_*.bin"
"""
from __future__ import annotations

import argparse
import dataclasses
import glob
import math
import time
from typing import Any, Callable, Dict, List, NamedTuple, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F

PyTree = Any
Key = int


# --------------------------------------------------------------------------
# pytree helpers
# --------------------------------------------------------------------------

def tree_map(fn: Callable, tree: PyTree, *rest: PyTree) -> PyTree:
    if isinstance(tree, dict):
        return {k: tree_map(fn, tree[k], *[r[k] for r in rest]) for k in tree}
    if isinstance(tree, list):
        return [tree_map(fn, t, *[r[i] for r in rest]) for i, t in enumerate(tree)]
    if tree is None:
        return None
    return fn(tree, *rest)


def tree_map_with_path(fn: Callable, tree: PyTree, *rest: PyTree, _path=()) -> PyTree:
    if isinstance(tree, dict):
        return {k: tree_map_with_path(fn, tree[k], *[r[k] for r in rest], _path=_path + (k,)) for k in tree}
    if isinstance(tree, list):
        return [tree_map_with_path(fn, t, *[r[i] for r in rest], _path=_path + (str(i),))
                for i, t in enumerate(tree)]
    if tree is None:
        return None
    return fn(_path, tree, *rest)


def tree_leaves(tree: PyTree) -> List[torch.Tensor]:
    out: List[torch.Tensor] = []
    tree_map(lambda x: out.append(x), tree)
    return out


def tree_unflatten_like(tree: PyTree, leaves: Sequence[torch.Tensor]) -> PyTree:
    it = iter(leaves)
    return tree_map(lambda _: next(it), tree)


def split_key(key: Key, n: int = 2) -> List[Key]:
    seq = np.random.SeedSequence(key)
    return [int(s.generate_state(1)[0]) for s in seq.spawn(n)]


def normal(key: Key, shape: Tuple[int, ...], std: float) -> torch.Tensor:
    g = torch.Generator().manual_seed(key)
    return torch.randn(shape, generator=g) * std


def round_up(n: int, multiple: int) -> int:
    return ((n + multiple - 1) // multiple) * multiple


# --------------------------------------------------------------------------
# modules (static config only)
# --------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Linear:
    d_in: int
    d_out: int
    init_std: float | None = None

    def init(self, key: Key) -> Dict[str, torch.Tensor]:
        std = self.init_std if self.init_std is not None else self.d_in ** -0.5
        return {"w": normal(key, (self.d_out, self.d_in), std)}

    def __call__(self, p, x):
        return x @ p["w"].T


@dataclasses.dataclass(frozen=True)
class RMSNorm:
    dim: int
    eps: float = 1e-6

    def init(self, key: Key):
        return {"scale": torch.ones(self.dim)}

    def __call__(self, p, x):
        var = x.float().pow(2).mean(-1, keepdim=True)
        return (x.float() * torch.rsqrt(var + self.eps)).type_as(x) * p["scale"].type_as(x)


def _unit_rms(x: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    # scale-free normalisation over the last axis
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)


@dataclasses.dataclass(frozen=True)
class Rotary:
    head_dim: int
    theta: float = 10_000.0

    def tables(self, seq_len: int, device) -> Tuple[torch.Tensor, torch.Tensor]:
        half = self.head_dim // 2
        freqs = self.theta ** (-torch.arange(0, half, device=device, dtype=torch.float32) / half)
        ang = torch.arange(seq_len, device=device, dtype=torch.float32)[:, None] * freqs[None, :]
        return ang.cos()[None, :, None, :], ang.sin()[None, :, None, :]

    def __call__(self, x, cos, sin):
        a, b = x.float().chunk(2, dim=-1)
        out = torch.cat([a * cos + b * sin, b * cos - a * sin], dim=-1)
        return out.type_as(x)


@dataclasses.dataclass(frozen=True)
class CausalSelfAttention:
    width: int
    num_heads: int

    @property
    def head_dim(self):
        return self.width // self.num_heads

    def _proj(self, d_out, std=None):
        return Linear(self.width, d_out, std)

    def init(self, key: Key, depth: int):
        kq, kk, kv, ko = split_key(key, 4)
        return {
            "wq": self._proj(self.width).init(kq),
            "wk": self._proj(self.width).init(kk),
            "wv": self._proj(self.width).init(kv),
            "wo": self._proj(self.width, 0.02 / math.sqrt(2 * depth)).init(ko),
        }

    def __call__(self, p, x, cos, sin):
        B, T, _ = x.shape
        H, D = self.num_heads, self.head_dim
        lin = self._proj(self.width)
        q = lin(p["wq"], x).view(B, T, H, D)
        k = lin(p["wk"], x).view(B, T, H, D)
        v = lin(p["wv"], x).view(B, T, H, D)
        q, k = _unit_rms(q), _unit_rms(k)
        rope = Rotary(D)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        y = y.transpose(1, 2).reshape(B, T, self.width)
        return lin(p["wo"], y)


@dataclasses.dataclass(frozen=True)
class FeedForward:
    width: int
    expansion: int = 4

    def init(self, key: Key, depth: int):
        k1, k2 = split_key(key, 2)
        hidden = self.expansion * self.width
        return {
            "up": Linear(self.width, hidden).init(k1),
            "down": Linear(hidden, self.width, 0.02 / math.sqrt(2 * depth)).init(k2),
        }

    def __call__(self, p, x):
        h = x @ p["up"]["w"].T
        h = torch.clamp_min(h, 0.0).pow(2)
        return h @ p["down"]["w"].T


@dataclasses.dataclass(frozen=True)
class Block:
    width: int
    num_heads: int

    def init(self, key: Key, depth: int):
        ka, km = split_key(key, 2)
        return {
            "gate": torch.tensor([1.0, 0.0]),
            "norm_a": RMSNorm(self.width).init(0),
            "attn": CausalSelfAttention(self.width, self.num_heads).init(ka, depth),
            "norm_m": RMSNorm(self.width).init(0),
            "ffn": FeedForward(self.width).init(km, depth),
        }

    def __call__(self, p, x, x_embed, cos, sin):
        g = p["gate"].type_as(x)
        x = g[0] * x + g[1] * x_embed
        x = x + CausalSelfAttention(self.width, self.num_heads)(p["attn"], RMSNorm(self.width)(p["norm_a"], x), cos, sin)
        x = x + FeedForward(self.width)(p["ffn"], RMSNorm(self.width)(p["norm_m"], x))
        return x


@dataclasses.dataclass(frozen=True)
class Precision:
    compute: torch.dtype = torch.bfloat16
    loss: torch.dtype = torch.float32


@dataclasses.dataclass(frozen=True)
class Transformer:
    vocab: int
    width: int = 768
    depth: int = 12
    num_heads: int = 12
    precision: Precision = Precision()

    def init(self, key: Key):
        ke, kh, *kb = split_key(key, 2 + self.depth)
        return {
            "tok": normal(ke, (self.vocab, self.width), 1.0),
            "blocks": [Block(self.width, self.num_heads).init(k, self.depth) for k in kb],
            "norm_f": RMSNorm(self.width).init(0),
            "readout": normal(kh, (self.vocab, self.width), 0.02),
        }

    def __call__(self, p, idx):
        T = idx.size(1)
        cos, sin = Rotary(self.width // self.num_heads).tables(T, idx.device)
        x = F.embedding(idx, p["tok"])
        x_embed = x
        blk = Block(self.width, self.num_heads)
        for bp in p["blocks"]:
            x = blk(bp, x, x_embed, cos, sin)
        x = RMSNorm(self.width)(p["norm_f"], x)
        return x @ p["readout"].T


def loss_fn(model: Transformer, params, batch, spike_guard: float = 30.0):
    idx, tgt = batch
    with torch.autocast("cuda", dtype=model.precision.compute):
        logits = model(params, idx)
    logits = logits.to(model.precision.loss)
    nll = F.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1))
    # soft clip the scalar objective so that a bad batch cannot blow up the step
    return spike_guard * torch.tanh(nll / spike_guard)


def value_and_grad(fn: Callable) -> Callable:
    def wrapped(params, *args, **kw):
        leaves = tree_leaves(params)
        for leaf in leaves:
            leaf.requires_grad_(True)
        value = fn(params, *args, **kw)
        grads = torch.autograd.grad(value, leaves)
        return value.detach(), tree_unflatten_like(params, grads)
    return wrapped


# --------------------------------------------------------------------------
# optimizer as composable transforms
# --------------------------------------------------------------------------

class Transform(NamedTuple):
    init: Callable[[PyTree], PyTree]
    update: Callable[[PyTree, PyTree, PyTree, int], Tuple[PyTree, PyTree]]


def chain(*txs: Transform) -> Transform:
    def init(params):
        return [t.init(params) for t in txs]

    def update(updates, state, params, step):
        new_state = []
        for t, s in zip(txs, state):
            updates, s = t.update(updates, s, params, step)
            new_state.append(s)
        return updates, new_state
    return Transform(init, update)


def scale(factor: float) -> Transform:
    return Transform(lambda p: None, lambda u, s, p, t: (tree_map(lambda g: g * factor, u), s))


def scale_by_schedule(schedule: Callable[[int], float]) -> Transform:
    return Transform(lambda p: None, lambda u, s, p, t: (tree_map(lambda g: g * schedule(t), u), s))


def add_decayed_weights(rate: float) -> Transform:
    def update(u, s, p, t):
        if rate == 0.0:
            return u, s
        return tree_map(lambda g, w: g + rate * w.detach(), u, p), s
    return Transform(lambda p: None, update)


def scale_by_adam(b1: float = 0.9, b2: float = 0.95, eps: float = 1e-8) -> Transform:
    def init(params):
        return {"mu": tree_map(torch.zeros_like, params), "nu": tree_map(torch.zeros_like, params)}

    def update(u, s, p, t):
        mu = tree_map(lambda m, g: m.lerp(g, 1 - b1), s["mu"], u)
        nu = tree_map(lambda v, g: v.lerp(g * g, 1 - b2), s["nu"], u)
        c1, c2 = 1 - b1 ** (t + 1), 1 - b2 ** (t + 1)
        out = tree_map(lambda m, v: (m / c1) / ((v / c2).sqrt() + eps), mu, nu)
        return out, {"mu": mu, "nu": nu}
    return Transform(init, update)


def trace(decay: float, nesterov: bool = True) -> Transform:
    def init(params):
        return tree_map(torch.zeros_like, params)

    def update(u, s, p, t):
        buf = tree_map(lambda b, g: b * decay + g, s, u)
        out = tree_map(lambda b, g: g + decay * b, buf, u) if nesterov else buf
        return out, buf
    return Transform(init, update)


def _polar_factor(G: torch.Tensor, iters: int, coeffs=(3.4445, -4.7750, 2.0315)) -> torch.Tensor:
    a, b, c = coeffs
    X = G.bfloat16()
    flip = X.size(0) > X.size(1)
    if flip:
        X = X.T
    X = X / (X.norm() + 1e-7)
    for _ in range(iters):
        gram = X @ X.T
        poly = b * gram + c * (gram @ gram)
        X = a * X + poly @ X
    if flip:
        X = X.T
    return X.to(G.dtype)


def orthogonalize(iters: int = 5) -> Transform:
    return Transform(lambda p: None, lambda u, s, p, t: (tree_map(lambda g: _polar_factor(g, iters), u), s))


def scale_by_shape() -> Transform:
    def f(g):
        rows, cols = g.shape[-2], g.shape[-1]
        return g * max(1.0, rows / cols) ** 0.5
    return Transform(lambda p: None, lambda u, s, p, t: (tree_map(f, u), s))


def masked(inner: Transform, mask: PyTree) -> Transform:
    """Apply `inner` only to leaves whose mask is True; other leaves get zero updates."""
    def pick(tree):
        return tree_map(lambda x, m: x if m else None, tree, mask)

    def init(params):
        return inner.init(_Prune(pick(params)).tree)

    def update(u, s, p, t):
        sub_u, s = inner.update(_Prune(pick(u)).tree, s, _Prune(pick(p)).tree, t)
        it = iter(tree_leaves(sub_u))
        full = tree_map(lambda g, m: next(it) if m else torch.zeros_like(g), u, mask)
        return full, s
    return Transform(init, update)


class _Prune:
    """Drop None leaves so inner transforms only see their own parameters."""

    def __init__(self, tree):
        self.tree = self._prune(tree)

    @staticmethod
    def _empty(v):
        return v is None or (isinstance(v, (dict, list)) and len(v) == 0)

    def _prune(self, t):
        if isinstance(t, dict):
            d = {k: self._prune(v) for k, v in t.items()}
            return {k: v for k, v in d.items() if not self._empty(v)}
        if isinstance(t, list):
            l = [self._prune(v) for v in t]
            return [v for v in l if not self._empty(v)]
        return t


def multi_transform(transforms: Dict[str, Transform], labels: PyTree) -> Transform:
    parts = {name: masked(tx, tree_map(lambda l, n=name: l == n, labels)) for name, tx in transforms.items()}

    def init(params):
        return {name: tx.init(params) for name, tx in parts.items()}

    def update(u, s, p, t):
        total, new_s = None, {}
        for name, tx in parts.items():
            part, new_s[name] = tx.update(u, s[name], p, t)
            total = part if total is None else tree_map(torch.add, total, part)
        return total, new_s
    return Transform(init, update)


@torch.no_grad()
def apply_updates(params, updates):
    tree_map(lambda w, u: w.add_(u.to(w.dtype)), params, updates)
    return params


# --------------------------------------------------------------------------
# schedules
# --------------------------------------------------------------------------

def linear_schedule(start: float, end: float, steps: int) -> Callable[[int], float]:
    return lambda t: start + (end - start) * min(t, steps) / max(steps, 1)


def constant_schedule(v: float) -> Callable[[int], float]:
    return lambda t: v


def join_schedules(schedules: Sequence[Callable], boundaries: Sequence[int]) -> Callable[[int], float]:
    def f(t):
        offset = 0
        for sched, b in zip(schedules, list(boundaries) + [None]):
            if b is None or t < b:
                return sched(t - offset)
            offset = b
        return schedules[-1](t - offset)
    return f


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------

def load_shard(path: str) -> np.ndarray:
    header = np.fromfile(path, dtype=np.int32, count=256)
    assert header[0] == 20240520, "unexpected shard magic"
    return np.memmap(path, dtype=np.uint16, mode="r", offset=256 * 4, shape=(int(header[2]),))


def batches(pattern: str, batch: int, seq: int, device: str):
    files = sorted(glob.glob(pattern))
    assert files, f"no shards match {pattern}"
    while True:
        for f in files:
            toks = load_shard(f)
            span = batch * seq + 1
            for start in range(0, len(toks) - span, batch * seq):
                chunk = torch.from_numpy(toks[start:start + span].astype(np.int64))
                x = chunk[:-1].view(batch, seq).to(device, non_blocking=True)
                y = chunk[1:].view(batch, seq).to(device, non_blocking=True)
                yield x, y


# --------------------------------------------------------------------------
# training
# --------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class TrainConfig:
    data: str = "data/fineweb10B/fineweb_train_*.bin"
    val_data: str = "data/fineweb10B/fineweb_val_*.bin"
    batch: int = 32
    seq: int = 1024
    grad_accum: int = 8
    steps: int = 6000
    warmup: int = 256
    warmdown: int = 1800
    adam_lr: float = 0.008
    matrix_lr: float = 0.02
    momentum: float = 0.95
    weight_decay: float = 0.0
    eval_every: int = 250
    eval_batches: int = 20
    seed: int = 1337


def param_labels(params):
    def label(path, leaf):
        if path[0] in ("tok", "readout") or leaf.ndim < 2:
            return "adam"
        return "ortho"
    return tree_map_with_path(label, params)


def make_optimizer(cfg: TrainConfig, params) -> Transform:
    shape = join_schedules(
        [linear_schedule(0.0, 1.0, cfg.warmup),
         constant_schedule(1.0),
         linear_schedule(1.0, 0.0, cfg.warmdown)],
        [cfg.warmup, cfg.steps - cfg.warmdown],
    )
    return multi_transform(
        {
            "adam": chain(scale_by_adam(0.9, 0.95), add_decayed_weights(cfg.weight_decay),
                          scale_by_schedule(shape), scale(-cfg.adam_lr)),
            "ortho": chain(trace(cfg.momentum, nesterov=True), orthogonalize(5), scale_by_shape(),
                           add_decayed_weights(cfg.weight_decay), scale_by_schedule(shape), scale(-cfg.matrix_lr)),
        },
        param_labels(params),
    )


def evaluate(model, params, cfg: TrainConfig, device):
    it = batches(cfg.val_data, cfg.batch, cfg.seq, device)
    total = 0.0
    with torch.no_grad():
        for _ in range(cfg.eval_batches):
            idx, tgt = next(it)
            with torch.autocast("cuda", dtype=model.precision.compute):
                logits = model(params, idx)
            total += F.cross_entropy(logits.float().view(-1, logits.size(-1)), tgt.view(-1)).item()
    return total / cfg.eval_batches


def main():
    ap = argparse.ArgumentParser()
    for f in dataclasses.fields(TrainConfig):
        ap.add_argument("--" + f.name.replace("_", "-"), type=type(f.default), default=f.default)
    cfg = TrainConfig(**{k.replace("-", "_"): v for k, v in vars(ap.parse_args()).items()})

    device = "cuda"
    torch.manual_seed(cfg.seed)
    model = Transformer(vocab=round_up(50257, 32))
    params = tree_map(lambda x: x.to(device), model.init(cfg.seed))
    opt = make_optimizer(cfg, params)
    opt_state = opt.init(params)
    grad_fn = value_and_grad(lambda p, b: loss_fn(model, p, b))
    stream = batches(cfg.data, cfg.batch, cfg.seq, device)

    t0 = time.perf_counter()
    for step in range(cfg.steps + 1):
        if step % cfg.eval_every == 0 or step == cfg.steps:
            print(f"step {step} val_loss {evaluate(model, params, cfg, device):.4f}")
        if step == cfg.steps:
            break
        acc = None
        running = 0.0
        for _ in range(cfg.grad_accum):
            loss, g = grad_fn(params, next(stream))
            running += loss.item() / cfg.grad_accum
            g = tree_map(lambda x: x / cfg.grad_accum, g)
            acc = g if acc is None else tree_map(torch.add, acc, g)
        with torch.no_grad():
            updates, opt_state = opt.update(acc, opt_state, params, step)
            params = apply_updates(params, updates)
        if step % 10 == 0:
            dt = (time.perf_counter() - t0) / (step + 1)
            print(f"step {step} loss {running:.4f} {1000 * dt:.0f}ms/step")

    torch.save(tree_map(lambda x: x.detach().cpu(), params), "pico_lm_params.pt")


if __name__ == "__main__":
    main()
