"""
GPT trainer configured by an embedded TOML document.

Dotted overrides (OmegaConf style) can be appended on the command line:

    torchrun --nproc_per_node=8 toml_config_gpt.py optim.muon.lr=0.03 schedule.total_steps=4000

Values are parsed as TOML scalars, so ``model.qk_norm=true`` gives a bool and
``data.train_files="/mnt/fw/*.bin"`` a string.
"""
import copy
import glob
import os
import sys
import time
import tomllib

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor
from torch.nn.parallel import DistributedDataParallel as DDP

DEFAULT_TOML = """
[run]
name = "fp8-head-merged-qkv"
seed = 0
log_dir = "logs"

[data]
train_files = "data/fineweb10B/fineweb_train_*.bin"
val_files = "data/fineweb10B/fineweb_val_*.bin"
seq_len = 1024
batch_size = 32
val_tokens = 10485760
val_every = 250

[model]
vocab_size = 50304
n_layer = 12
n_head = 12
d_model = 768
rope_base = 10000.0
attn_scale = 0.12
qk_norm = false
norm_eps = 1e-10

[model.lm_head]
fp8 = true
x_scale = 2.0
w_scale = 512.0
grad_scale = 524288.0

[optim.adam]
lr = 0.006
betas = [0.9, 0.95]
eps = 1e-8
weight_decay = 0.01

[optim.muon]
lr = 0.02
momentum = 0.95
nesterov = true
ns_steps = 5

[schedule]
total_steps = 5000
warmup_steps = 100
cooldown_frac = 0.4
final_lr_frac = 0.1
"""


def _parse_scalar(text):
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_overrides(cfg, overrides):
    cfg = copy.deepcopy(cfg)
    for item in overrides:
        if "=" not in item:
            raise SystemExit(f"override must look like a.b.c=value, got {item!r}")
        dotted, raw = item.split("=", 1)
        keys = dotted.lstrip("-").split(".")
        node = cfg
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        if keys[-1] not in node:
            print(f"warning: new key {dotted}")
        node[keys[-1]] = _parse_scalar(raw)
    return cfg


class Node(dict):
    """dict with attribute access, recursively."""

    def __getattr__(self, name):
        try:
            v = self[name]
        except KeyError as e:
            raise AttributeError(name) from e
        return Node(v) if isinstance(v, dict) else v


CFG = Node(apply_overrides(tomllib.loads(DEFAULT_TOML), sys.argv[1:]))


# ----------------------------------------------------------------------------
# FP8 matmul for the output head (custom op with hand-written backward)

@torch.library.custom_op("tomlgpt::mm_f8", mutates_args=())
def mm_f8(x: Tensor, w: Tensor, x_s: float, w_s: float, grad_s: float) -> tuple[Tensor, Tensor, Tensor]:
    @torch.compile
    def impl(x: Tensor, w: Tensor):
        assert x.is_contiguous() and w.is_contiguous()
        x_f8 = x.div(x_s).to(torch.float8_e4m3fn)
        w_f8 = w.div(w_s).to(torch.float8_e4m3fn)
        out = torch._scaled_mm(
            x_f8,
            w_f8.T,
            out_dtype=torch.bfloat16,
            scale_a=x.new_tensor(x_s, dtype=torch.float32),
            scale_b=x.new_tensor(w_s, dtype=torch.float32),
            use_fast_accum=True,
        )
        return out, x_f8, w_f8

    return impl(x, w)


@mm_f8.register_fake
def _(x: Tensor, w: Tensor, *_):
    assert x.ndim == w.ndim == 2 and x.shape[1] == w.shape[1]
    return x @ w.T, x.to(torch.float8_e4m3fn), w.to(torch.float8_e4m3fn)


@torch.library.custom_op("tomlgpt::mm_f8_backward", mutates_args=())
def mm_f8_backward(g: Tensor, x_f8: Tensor, w_f8: Tensor, x_s: float, w_s: float, grad_s: float) -> tuple[Tensor, Tensor]:
    @torch.compile
    def impl(grad: Tensor, x_f8: Tensor, w_f8: Tensor):
        assert grad.is_contiguous()
        x_scale = grad.new_tensor(x_s, dtype=torch.float32)
        w_scale = grad.new_tensor(w_s, dtype=torch.float32)
        g_scale = grad.new_tensor(grad_s, dtype=torch.float32)
        grad_f8 = grad.div(grad_s).to(torch.float8_e5m2)
        grad_x = torch._scaled_mm(
            grad_f8, w_f8.T.contiguous().T, out_dtype=torch.bfloat16,
            scale_a=g_scale, scale_b=w_scale, use_fast_accum=False,
        )
        grad_w = torch._scaled_mm(
            x_f8.T.contiguous(), grad_f8.T.contiguous().T, out_dtype=torch.float32,
            scale_a=x_scale, scale_b=g_scale, use_fast_accum=False,
        ).T
        return grad_x, grad_w

    return impl(g, x_f8, w_f8)


@mm_f8_backward.register_fake
def _(g: Tensor, x_f8: Tensor, w_f8: Tensor, *_):
    return x_f8.to(torch.bfloat16), w_f8.to(torch.float32)


def _mm_f8_bwd(ctx, grad_out: Tensor, *_):
    x_f8, w_f8 = ctx.saved_tensors
    grad_x, grad_w = torch.ops.tomlgpt.mm_f8_backward(grad_out, x_f8, w_f8, ctx.x_s, ctx.w_s, ctx.grad_s)
    return grad_x, grad_w, None, None, None


def _mm_f8_setup(ctx, inputs, output):
    *_, x_s, w_s, grad_s = inputs
    _, x_f8, w_f8 = output
    ctx.save_for_backward(x_f8, w_f8)
    ctx.x_s, ctx.w_s, ctx.grad_s = x_s, w_s, grad_s
    ctx.set_materialize_grads(False)


mm_f8.register_autograd(_mm_f8_bwd, setup_context=_mm_f8_setup)


def lm_head_f8(x: Tensor, w: Tensor, hcfg) -> Tensor:
    flat = x.flatten(0, -2).bfloat16().contiguous()
    out = torch.ops.tomlgpt.mm_f8(flat, w.bfloat16().contiguous(), hcfg.x_scale, hcfg.w_scale, hcfg.grad_scale)[0]
    return out.reshape(*x.shape[:-1], -1)


# ----------------------------------------------------------------------------
# model

def norm(x, eps=CFG.model.norm_eps):
    return F.rms_norm(x, (x.size(-1),), eps=eps)


class RotaryEmbedding(nn.Module):
    def __init__(self, dim, base):
        super().__init__()
        inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def forward(self, x):  # x: B T H D
        T = x.size(1)
        t = torch.arange(T, device=x.device, dtype=torch.float32)
        freqs = torch.outer(t, self.inv_freq)
        cos, sin = freqs.cos()[None, :, None, :], freqs.sin()[None, :, None, :]
        x1, x2 = x.float().chunk(2, dim=-1)
        return torch.cat((x1 * cos + x2 * sin, -x1 * sin + x2 * cos), dim=-1).type_as(x)


class Attention(nn.Module):
    def __init__(self, mcfg):
        super().__init__()
        d = mcfg.d_model
        self.n_head = mcfg.n_head
        self.head_dim = d // self.n_head
        self.qkv_w = nn.Parameter(torch.empty(3, d, d))
        bound = d ** -0.5
        with torch.no_grad():
            self.qkv_w.uniform_(-bound, bound)
        self.proj = nn.Linear(d, d, bias=False)
        self.rotary = RotaryEmbedding(self.head_dim, mcfg.rope_base)
        self.scale = mcfg.attn_scale
        self.use_qk_norm = mcfg.qk_norm

    def forward(self, x):
        B, T, C = x.shape
        qkv = F.linear(x, self.qkv_w.flatten(end_dim=1).type_as(x))
        q, k, v = qkv.view(B, T, 3 * self.n_head, self.head_dim).chunk(3, dim=-2)
        if self.use_qk_norm:
            q, k = norm(q), norm(k)
        q, k = self.rotary(q), self.rotary(k)
        y = F.scaled_dot_product_attention(
            q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True, scale=self.scale
        )
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, 4 * d, bias=False)
        self.proj = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        return self.proj(F.gelu(self.fc(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, mcfg):
        super().__init__()
        self.attn = Attention(mcfg)
        self.mlp = MLP(mcfg.d_model)

    def forward(self, x):
        x = x + self.attn(norm(x))
        return x + self.mlp(norm(x))


class GPT(nn.Module):
    def __init__(self, mcfg):
        super().__init__()
        self.mcfg = mcfg
        self.embed = nn.Embedding(mcfg.vocab_size, mcfg.d_model)
        self.blocks = nn.ModuleList([Block(mcfg) for _ in range(mcfg.n_layer)])
        self.lm_head = nn.Linear(mcfg.d_model, mcfg.vocab_size, bias=False)
        nn.init.normal_(self.embed.weight, std=0.02)
        nn.init.normal_(self.lm_head.weight, std=0.02)

    def forward(self, idx, targets):
        x = self.embed(idx)
        for block in self.blocks:
            x = block(x)
        x = norm(x)
        hcfg = self.mcfg.lm_head
        if self.training and hcfg.fp8:
            logits = lm_head_f8(x, self.lm_head.weight, hcfg)
        else:
            logits = self.lm_head(x)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


# ----------------------------------------------------------------------------
# Muon with batched Newton-Schulz (handles the stacked (3, d, d) qkv weight)

def zeropower_via_newtonschulz5(G: Tensor, steps: int) -> Tensor:
    assert G.ndim >= 2
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    tall = G.size(-2) > G.size(-1)
    if tall:
        X = X.mT
    X = X / (X.norm(dim=(-2, -1), keepdim=True) + 1e-7)
    for _ in range(steps):
        A = X @ X.mT
        B = A @ X
        X = a * X + b * B + c * A @ B
    if tall:
        X = X.mT
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum, nesterov, ns_steps):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                st = self.state[p]
                if "buf" not in st:
                    st["buf"] = torch.zeros_like(g)
                buf = st["buf"]
                buf.lerp_(g, 1 - group["momentum"])
                g = g.lerp(buf, group["momentum"]) if group["nesterov"] else buf
                p.add_(zeropower_via_newtonschulz5(g, group["ns_steps"]).type_as(p), alpha=-group["lr"])


def lr_lambda(step, scfg):
    if step < scfg.warmup_steps:
        return (step + 1) / scfg.warmup_steps
    t = 1.0 - step / scfg.total_steps
    w = min(t / scfg.cooldown_frac, 1.0)
    return w * 1.0 + (1 - w) * scfg.final_lr_frac


# ----------------------------------------------------------------------------
# data

def read_bin(path):
    header = torch.from_file(path, False, 256, dtype=torch.int32)
    assert header[0] == 20240520 and header[1] == 1
    n = int(header[2])
    with open(path, "rb") as f:
        f.seek(1024)
        arr = np.frombuffer(f.read(2 * n), dtype=np.uint16)
    return arr


def batches(pattern, B, T, rank, world):
    files = sorted(glob.glob(pattern))
    while True:
        for fname in files:
            tokens = read_bin(fname)
            step = B * T * world
            for pos in range(rank * B * T, len(tokens) - step - 1, step):
                chunk = torch.from_numpy(tokens[pos : pos + B * T + 1].astype(np.int64))
                yield chunk[:-1].view(B, T).cuda(), chunk[1:].view(B, T).cuda()


# ----------------------------------------------------------------------------

def main():
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    torch.cuda.set_device(local_rank)
    torch.manual_seed(CFG.run.seed)
    master = rank == 0
    if master:
        print(CFG)

    raw = GPT(CFG.model).cuda()
    matrix_params = [p for p in raw.blocks.parameters() if p.ndim >= 2]
    other_params = [raw.embed.weight, raw.lm_head.weight]
    ac, mc = CFG.optim.adam, CFG.optim.muon
    adam = torch.optim.AdamW(other_params, lr=ac.lr, betas=tuple(ac.betas), eps=ac.eps, weight_decay=ac.weight_decay)
    muon = Muon(matrix_params, lr=mc.lr, momentum=mc.momentum, nesterov=mc.nesterov, ns_steps=mc.ns_steps)
    optimizers = [adam, muon]
    schedulers = [torch.optim.lr_scheduler.LambdaLR(o, lambda s: lr_lambda(s, CFG.schedule)) for o in optimizers]

    model = DDP(torch.compile(raw), device_ids=[local_rank])
    dc = CFG.data
    train_iter = batches(dc.train_files, dc.batch_size, dc.seq_len, rank, world)
    val_steps = dc.val_tokens // (dc.batch_size * dc.seq_len * world)
    total = CFG.schedule.total_steps

    t0 = time.perf_counter()
    for step in range(total + 1):
        if step % dc.val_every == 0 or step == total:
            model.eval()
            vloss = torch.zeros((), device="cuda")
            val_iter = batches(dc.val_files, dc.batch_size, dc.seq_len, rank, world)
            with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
                for _ in range(val_steps):
                    x, y = next(val_iter)
                    vloss += model(x, y)
            dist.all_reduce(vloss, op=dist.ReduceOp.AVG)
            if master:
                print(f"step {step}/{total} val_loss {vloss.item() / val_steps:.4f} t {time.perf_counter() - t0:.0f}s")
            model.train()
        if step == total:
            break
        x, y = next(train_iter)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = model(x, y)
        loss.backward()
        for opt, sch in zip(optimizers, schedulers):
            opt.step()
            sch.step()
        model.zero_grad(set_to_none=True)
        if master and step % 50 == 0:
            print(f"step {step + 1}/{total} loss {loss.item():.4f} lr_mult {lr_lambda(step, CFG.schedule):.3f}")

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
