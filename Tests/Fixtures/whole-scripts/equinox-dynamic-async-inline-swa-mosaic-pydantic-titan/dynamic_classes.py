"""
Spec-driven GPT: every layer class is synthesised at import time from the
ARCH dictionary below.  Layers register themselves through
`__init_subclass__`, hyper-parameters are pushed onto instances with setattr
loops, and parameters are routed to optimizers with operator.attrgetter paths.

torchrun --nproc_per_node=8 dynamic_classes.py
"""
import glob
import math
import operator
import os
import time
from functools import partial

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

# ----------------------------------------------------------------------------
# declarative description of the network
# ----------------------------------------------------------------------------

ARCH = {
    "vocab_size": 50257,
    "context": 1024,
    "d_model": 768,
    "n_layers": 12,
    "n_heads": 6,
    "mlp_ratio": 4,
    # which value table each layer reads; '-' means none
    "value_table_layout": "012" + "-" * 6 + "012",
    # layers that only carry a feed-forward sublayer
    "ffn_only_layers": (7,),
    "attn_logit_multiplier": 0.125,
}

OPTIM = {
    "embeddings": {"kind": "adam", "lr": 0.01, "betas": (0.9, 0.95)},
    "gains": {"kind": "adam", "lr": 0.02, "betas": (0.9, 0.95)},
    "matrices": {"kind": "ortho", "lr": 0.05, "momentum": 0.95, "ns_steps": 5},
}

RUN = {
    "input_bin": "data/fineweb10B/fineweb_train_*.bin",
    "input_val_bin": "data/fineweb10B/fineweb_val_*.bin",
    "device_batch": 32,
    "iterations": 4000,
    "warmup_iters": 100,
    "val_every": 200,
    "val_tokens": 10_485_760,
    "beta1_ramp": (0.85, 0.95, 500),
}


# ----------------------------------------------------------------------------
# registry
# ----------------------------------------------------------------------------

class Layer(nn.Module):
    registry = {}

    def __init_subclass__(cls, role=None, **kw):
        super().__init_subclass__(**kw)
        Layer.registry[role or cls.__name__] = cls

    def configure(self, **hparams):
        for key, value in hparams.items():
            setattr(self, key, value)
        return self


def _build(name, bases, methods, role=None):
    resolved = tuple(Layer.registry.get(b, b) if isinstance(b, str) else b for b in bases)
    return type(name, resolved, dict(methods), role=role)


# ----------------------------------------------------------------------------
# method bodies
# ----------------------------------------------------------------------------

def _norm_init(self, dim):
    nn.Module.__init__(self)
    self.ln = nn.LayerNorm(dim)


def _norm_forward(self, x):
    return self.ln(x)


def _attn_init(self, cfg):
    nn.Module.__init__(self)
    self.configure(**{k: cfg[k] for k in ("d_model", "n_heads")})
    self.head_dim = self.d_model // self.n_heads
    self.qkv_w = nn.Parameter(torch.empty(3, self.d_model, self.d_model))
    bound = math.sqrt(3.0) * self.d_model ** -0.5
    nn.init.uniform_(self.qkv_w, -bound, bound)
    self.out = nn.Linear(self.d_model, self.d_model, bias=False)
    nn.init.normal_(self.out.weight, std=0.02 / math.sqrt(2 * cfg["n_layers"]))
    self.ve_mix = nn.Parameter(torch.tensor([0.5, 0.5]))
    self.logit_mult = cfg["attn_logit_multiplier"]


def _attn_forward(self, x, value_extra):
    B, T, C = x.shape
    qkv = F.linear(x, self.qkv_w.flatten(end_dim=1))
    q, k, v = qkv.view(B, T, 3 * self.n_heads, self.head_dim).chunk(3, dim=2)
    if value_extra is None:
        v = self.ve_mix[0] * v
    else:
        v = self.ve_mix[0] * v + self.ve_mix[1] * value_extra.view_as(v)
    y = F.scaled_dot_product_attention(
        q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2),
        is_causal=True, scale=self.logit_mult,
    )
    return self.out(y.transpose(1, 2).reshape(B, T, C))


def _ffn_init(self, cfg):
    nn.Module.__init__(self)
    self.configure(d_model=cfg["d_model"], hidden=cfg["mlp_ratio"] * cfg["d_model"])
    self.up = nn.Linear(self.d_model, self.hidden, bias=False)
    self.down = nn.Linear(self.hidden, self.d_model, bias=False)
    nn.init.normal_(self.up.weight, std=0.02)
    nn.init.normal_(self.down.weight, std=0.02 / math.sqrt(2 * cfg["n_layers"]))


def _ffn_forward(self, x):
    return self.down(F.gelu(self.up(x), approximate="tanh"))


def _block_init(self, cfg, index):
    nn.Module.__init__(self)
    self.configure(index=index, has_attn=index not in cfg["ffn_only_layers"])
    Norm, Attn, Ffn = (Layer.registry[r] for r in ("norm", "attn", "ffn"))
    if self.has_attn:
        self.norm_a = Norm(cfg["d_model"])
        self.attn = Attn(cfg)
    self.norm_f = Norm(cfg["d_model"])
    self.ffn = Ffn(cfg)


def _block_forward(self, x, value_extra):
    if self.has_attn:
        x = x + self.attn(self.norm_a(x), value_extra)
    return x + self.ffn(self.norm_f(x))


def _values_init(self, cfg):
    nn.Module.__init__(self)
    layout = cfg["value_table_layout"]
    self.configure(layout=layout)
    n_tables = len({c for c in layout if c != "-"})
    self.tables = nn.ModuleList(nn.Embedding(cfg["vocab_size"], cfg["d_model"]) for _ in range(n_tables))


def _values_forward(self, idx):
    looked_up = [t(idx) for t in self.tables]
    return [None if c == "-" else looked_up[int(c)] for c in self.layout]


def _lm_init(self, cfg):
    nn.Module.__init__(self)
    self.configure(**cfg)
    Block, Norm, Values = (Layer.registry[r] for r in ("block", "norm", "values"))
    self.embed = nn.Embedding(cfg["vocab_size"], cfg["d_model"])
    self.pos = nn.Embedding(cfg["context"], cfg["d_model"])
    self.values = Values(cfg)
    self.blocks = nn.ModuleList(Block(cfg, i) for i in range(cfg["n_layers"]))
    self.half = cfg["n_layers"] // 2
    self.skip_gains = nn.Parameter(torch.ones(cfg["n_layers"] - self.half))
    self.norm_out = Norm(cfg["d_model"])
    self.head = nn.Linear(cfg["d_model"], cfg["vocab_size"], bias=False)
    self.head.weight = self.embed.weight
    nn.init.normal_(self.embed.weight, std=0.02)
    nn.init.normal_(self.pos.weight, std=0.01)


def _lm_forward(self, idx, targets=None):
    T = idx.size(1)
    x = self.embed(idx) + self.pos(torch.arange(T, device=idx.device))
    extras = self.values(idx)
    stash = []
    for i, block in enumerate(self.blocks):
        if i >= self.half:
            x = x + self.skip_gains[i - self.half] * stash.pop()
        x = block(x, extras[i])
        if i < self.half:
            stash.append(x)
    logits = self.head(self.norm_out(x))
    if targets is None:
        return logits
    return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


CLASS_SPECS = [
    ("PreNorm", (Layer,), {"__init__": _norm_init, "forward": _norm_forward}, "norm"),
    ("StackedQKVAttention", (Layer,), {"__init__": _attn_init, "forward": _attn_forward}, "attn"),
    ("DenseFFN", (Layer,), {"__init__": _ffn_init, "forward": _ffn_forward}, "ffn"),
    ("ResidualUnit", (Layer,), {"__init__": _block_init, "forward": _block_forward}, "block"),
    ("TokenValueTables", (Layer,), {"__init__": _values_init, "forward": _values_forward}, "values"),
    ("HourglassLM", (Layer,), {"__init__": _lm_init, "forward": _lm_forward}, "lm"),
]

for _name, _bases, _methods, _role in CLASS_SPECS:
    globals()[_name] = _build(_name, _bases, _methods, _role)


# ----------------------------------------------------------------------------
# orthogonalising optimizer (handles stacked matrices)
# ----------------------------------------------------------------------------

def polar_express(G, steps):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    tall = G.size(-2) > G.size(-1)
    if tall:
        X = X.mT
    X = X / (X.norm(dim=(-2, -1), keepdim=True) + 1e-7)
    for _ in range(steps):
        A = X @ X.mT
        AX = A @ X
        X = a * X + b * AX + c * (A @ AX)
    if tall:
        X = X.mT
    return X


class OrthoMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.95, ns_steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if "buf" not in st:
                    st["buf"] = torch.zeros_like(p.grad)
                buf = st["buf"]
                buf.mul_(group["momentum"]).add_(p.grad)
                g = p.grad.add(buf, alpha=group["momentum"])
                p.add_(polar_express(g, group["ns_steps"]).to(p.dtype), alpha=-group["lr"])


# ----------------------------------------------------------------------------
# parameter routing
# ----------------------------------------------------------------------------

ROUTES = {
    "embeddings": ["embed.weight", "pos.weight", "values.tables.{t}.weight"],
    "gains": ["skip_gains", "blocks.{i}.attn.ve_mix", "blocks.{i}.norm_a.ln.weight",
              "blocks.{i}.norm_a.ln.bias", "blocks.{i}.norm_f.ln.weight", "blocks.{i}.norm_f.ln.bias",
              "norm_out.ln.weight", "norm_out.ln.bias"],
    "matrices": ["blocks.{i}.attn.qkv_w", "blocks.{i}.attn.out.weight",
                 "blocks.{i}.ffn.up.weight", "blocks.{i}.ffn.down.weight"],
}


def route(model, routes, n_layers, n_tables):
    buckets = {}
    seen = set()
    for bucket, patterns in routes.items():
        found = []
        for pat in patterns:
            expanded = [pat.format(i=i, t=t) for i in range(n_layers) for t in range(n_tables)]
            for path in dict.fromkeys(expanded):
                try:
                    p = operator.attrgetter(path)(model)
                except AttributeError:
                    continue  # e.g. a layer without attention
                if id(p) not in seen:
                    seen.add(id(p))
                    found.append(p)
        buckets[bucket] = found
    missing = [n for n, p in model.named_parameters() if id(p) not in seen]
    assert not missing, f"unrouted parameters: {missing}"
    assert all(p.ndim >= 2 for p in buckets["matrices"])
    assert all(p.ndim < 2 for p in buckets["gains"])
    return buckets


def build_optimizers(model, cfg):
    n_tables = len(model.values.tables)
    buckets = route(model, ROUTES, cfg["n_layers"], n_tables)
    opts = []
    for bucket, hp in OPTIM.items():
        hp = dict(hp)
        kind = hp.pop("kind")
        if kind == "adam":
            opts.append(torch.optim.Adam([dict(params=buckets[bucket], lr=hp["lr"])], betas=hp["betas"]))
        else:
            opts.append(OrthoMomentum(buckets[bucket], **hp))
    for o in opts:
        for g in o.param_groups:
            g["base_lr"] = g["lr"]
    return opts


# ----------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------

class ShardStream:
    def __init__(self, pattern, B, T, rank, world):
        self.files = sorted(glob.glob(pattern))
        self.B, self.T, self.rank, self.world = B, T, rank, world
        self.reset()

    def reset(self):
        self.fi = 0
        self._load()

    def _load(self):
        header = np.fromfile(self.files[self.fi], dtype=np.int32, count=256)
        self.tokens = np.fromfile(self.files[self.fi], dtype=np.uint16, offset=1024)[: header[2]]
        self.pos = self.rank * self.B * self.T

    def next(self):
        n = self.B * self.T
        if self.pos + n * self.world + 1 > len(self.tokens):
            self.fi = (self.fi + 1) % len(self.files)
            self._load()
        buf = torch.from_numpy(self.tokens[self.pos:self.pos + n + 1].astype(np.int64))
        self.pos += n * self.world
        return buf[:-1].view(self.B, self.T).cuda(), buf[1:].view(self.B, self.T).cuda()


# ----------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------

def lr_factor(step, total, warmup):
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.5 * (1 + math.cos(math.pi * progress))


def main():
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    master = rank == 0

    model = Layer.registry["lm"](ARCH).cuda()
    opts = build_optimizers(model, ARCH)
    model = torch.compile(model)
    ddp = DistributedDataParallel(model, device_ids=[torch.cuda.current_device()])

    train = ShardStream(RUN["input_bin"], RUN["device_batch"], ARCH["context"], rank, world)
    val = ShardStream(RUN["input_val_bin"], RUN["device_batch"], ARCH["context"], rank, world)
    val_steps = RUN["val_tokens"] // (RUN["device_batch"] * ARCH["context"] * world)
    b1_lo, b1_hi, b1_span = RUN["beta1_ramp"]
    adams = [o for o in opts if isinstance(o, torch.optim.Adam)]

    t0 = time.time()
    for step in range(RUN["iterations"] + 1):
        last = step == RUN["iterations"]
        if step % RUN["val_every"] == 0 or last:
            ddp.eval()
            val.reset()
            acc = torch.zeros((), device="cuda")
            with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
                for _ in range(val_steps):
                    acc += ddp(*val.next())
            dist.all_reduce(acc, op=dist.ReduceOp.AVG)
            if master:
                print(f"step {step} val {acc.item() / val_steps:.4f} t {time.time() - t0:.1f}s")
            ddp.train()
        if last:
            break

        x, y = train.next()
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = ddp(x, y)
        loss.backward()

        scale = lr_factor(step, RUN["iterations"], RUN["warmup_iters"])
        ramp = min(step / b1_span, 1.0)
        for o in opts:
            for g in o.param_groups:
                g["lr"] = g["base_lr"] * scale
        for o in adams:
            for g in o.param_groups:
                g["betas"] = ((1 - ramp) * b1_lo + ramp * b1_hi, g["betas"][1])
        for o in opts:
            o.step()
        ddp.zero_grad(set_to_none=True)
        if master and step % 20 == 0:
            print(f"step {step} loss {loss.item():.4f}")

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
