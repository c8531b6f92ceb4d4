"""Sacred experiment: FlexAttention GPT with U-net value embeddings.

    torchrun --nproc_per_node=8 sacred_flex_unet_ve.py with seq_len=32768
    torchrun --nproc_per_node=8 sacred_flex_unet_ve.py with skip_attn7      # named config

Configuration values are the local variables of `cfg()`; captured functions receive them by name.
"""
import contextlib
import glob
import os
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from sacred import Experiment
from sacred.observers import FileStorageObserver
from torch.nn.attention.flex_attention import create_block_mask, flex_attention
from torch.nn.parallel import DistributedDataParallel as DDP

ex = Experiment("flex_unet_value_embed")
if int(os.environ.get("RANK", "0")) == 0:
    ex.observers.append(FileStorageObserver("runs"))


@ex.config
def cfg():
    train_files = "data/fineweb10B/fineweb_train_*.bin"
    val_files = "data/fineweb10B/fineweb_val_*.bin"
    val_tokens = 10485760
    vocab_size = 50304
    num_layers = 12
    num_heads = 6
    model_dim = 768
    rope_base = 1024.0
    rope_max_len = 65536
    logit_cap = 15.0
    attn_free_layers = []
    seq_len = 64 * 1024
    num_iterations = 1480
    cooldown_iters = 600
    warmup_iters = 0
    embed_lr = 0.6
    head_lr = 0.008
    scalar_lr = 0.04
    muon_lr = 0.05
    adam_betas = (0.8, 0.95)
    weight_decay = 0.0
    momentum_start = 0.85
    momentum_end = 0.95
    momentum_warmup = 300
    window_min = 64
    window_max = 1792
    guard_skip_after = 5
    val_every = 125


@ex.named_config
def skip_attn7():
    attn_free_layers = [7]


@ex.named_config
def legacy_caps():
    logit_cap = 30.0
    muon_lr = 0.04


# -----------------------------------------------------------------------------------------------
# Muon


@torch.compile
def ns_orth(G, steps: int = 5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    if G.size(0) > G.size(1):
        X = X.T
    X = X / (X.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        B = b * A + c * A @ A
        X = a * X + B @ X
    if G.size(0) > G.size(1):
        X = X.T
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, nesterov=True, ns_steps=5):
        self.world_size, self.rank = dist.get_world_size(), dist.get_rank()
        params = list(params)
        groups = [dict(params=[p for p in params if p.numel() == n],
                       update_buffer=[torch.empty(n, device="cuda", dtype=torch.bfloat16) for _ in range(self.world_size)])
                  for n in {p.numel() for p in params}]
        super().__init__(groups, dict(lr=lr, momentum=momentum, nesterov=nesterov, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, mom, bufs, params = group["lr"], group["momentum"], group["update_buffer"], group["params"]
            handle, world_params = None, None

            def apply_gathered():
                if world_params is None:
                    return
                handle.wait()
                for p_w, g_w in zip(world_params, bufs):
                    p_w.add_(g_w.view_as(p_w), alpha=-lr * max(1, p_w.size(0) / p_w.size(1)) ** 0.5)

            for base_i in range(len(params))[::self.world_size]:
                if base_i + self.rank < len(params):
                    p = params[base_i + self.rank]
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        state["momentum_buffer"] = torch.zeros_like(p.grad)
                    buf = state["momentum_buffer"]
                    buf.lerp_(p.grad, 1 - mom)
                    g = p.grad.lerp_(buf, mom) if group["nesterov"] else buf
                    g = ns_orth(g, steps=group["ns_steps"]).flatten()
                else:
                    g = bufs[self.rank]
                apply_gathered()
                handle = dist.all_gather(bufs, g, async_op=True)
                world_params = params[base_i:base_i + self.world_size]
            apply_gathered()


# -----------------------------------------------------------------------------------------------
# model


def norm(x):
    return F.rms_norm(x, (x.size(-1),))


class CastedLinear(nn.Linear):
    def __init__(self, i, o):
        super().__init__(i, o, bias=False)

    def forward(self, x):
        return F.linear(x, self.weight.to(x.dtype))


class Rotary(nn.Module):
    """RoPE with precomputed fp32 tables."""

    def __init__(self, dim, base, max_len):
        super().__init__()
        inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim))
        theta = torch.outer(torch.arange(max_len, dtype=torch.float32), inv_freq)
        self.register_buffer("cos", theta.cos(), persistent=False)
        self.register_buffer("sin", theta.sin(), persistent=False)

    def forward(self, x):
        T = x.size(1)
        cos, sin = self.cos[None, :T, None, :], self.sin[None, :T, None, :]
        x1, x2 = x.float().chunk(2, dim=-1)
        return torch.cat((x1 * cos + x2 * sin, x1 * (-sin) + x2 * cos), 3).type_as(x)


class Attention(nn.Module):
    def __init__(self, dim, heads, rope_base, rope_max_len):
        super().__init__()
        self.heads = heads
        self.c_q, self.c_k, self.c_v = CastedLinear(dim, dim), CastedLinear(dim, dim), CastedLinear(dim, dim)
        self.c_proj = CastedLinear(dim, dim)
        self.c_proj.weight.data.zero_()
        self.rotary = Rotary(dim // heads, rope_base, rope_max_len)
        self.lambdas = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, x, vi, block_mask):
        B, T = x.size(0), x.size(1)
        q = self.c_q(x).view(B, T, self.heads, -1)
        k = self.c_k(x).view(B, T, self.heads, -1)
        v = self.c_v(x).view(B, T, self.heads, -1)
        v = self.lambdas[0] * v + self.lambdas[1] * vi.view_as(v)
        q, k = norm(q), norm(k)
        q, k = self.rotary(q), self.rotary(k)
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=block_mask)
        return self.c_proj(y.transpose(1, 2).contiguous().view_as(x))


class MLP(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.c_fc, self.c_proj = CastedLinear(dim, 4 * dim), CastedLinear(4 * dim, dim)
        self.c_proj.weight.data.zero_()

    def forward(self, x):
        return self.c_proj(F.relu(self.c_fc(x)).square())


class Block(nn.Module):
    def __init__(self, dim, heads, rope_base, rope_max_len, use_attn):
        super().__init__()
        self.attn = Attention(dim, heads, rope_base, rope_max_len) if use_attn else None
        self.mlp = MLP(dim)
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, vi, x0, block_mask):
        x = self.lambdas[0] * x + self.lambdas[1] * x0
        if self.attn is not None:
            x = x + self.attn(norm(x), vi, block_mask)
        return x + self.mlp(norm(x))


class GPT(nn.Module):
    @ex.capture
    def __init__(self, vocab_size, num_layers, num_heads, model_dim, rope_base, rope_max_len, logit_cap,
                 attn_free_layers):
        super().__init__()
        self.logit_cap = logit_cap
        self.n_enc = num_layers // 2
        self.n_dec = num_layers - self.n_enc
        self.wte = nn.Embedding(vocab_size, model_dim)
        # encoder layer i and decoder layer (n_dec - 1 - i) share value table i
        self.vte = nn.Embedding(vocab_size, model_dim * self.n_enc)
        self.blocks = nn.ModuleList([
            Block(model_dim, num_heads, rope_base, rope_max_len, use_attn=i not in attn_free_layers)
            for i in range(num_layers)])
        self.skip_weights = nn.Parameter(torch.ones(self.n_dec))
        self.lm_head = CastedLinear(model_dim, vocab_size)
        self.lm_head.weight.data.zero_()

    def forward(self, idx, target, window):
        docs = (idx == 50256).cumsum(0)

        def mask_mod(b, h, q_idx, kv_idx):
            return (q_idx >= kv_idx) & (docs[q_idx] == docs[kv_idx]) & (q_idx - kv_idx < window)

        S = len(idx)
        bm = create_block_mask(mask_mod, None, None, S, S, device="cuda", _compile=True)
        x = x0 = norm(self.wte(idx[None]))
        vi = self.vte(idx[None]).chunk(self.n_enc, dim=-1)
        skips = []
        for i in range(self.n_enc):
            x = self.blocks[i](x, vi[i], x0, bm)
            skips.append(x)
        for i in range(self.n_dec):
            x = x + self.skip_weights[i] * skips.pop()
            x = self.blocks[self.n_enc + i](x, vi[self.n_enc - 1 - i], x0, bm)
        logits = self.lm_head(norm(x))
        logits = self.logit_cap * torch.tanh(logits / self.logit_cap)
        logits = logits.float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), target.view(-1))


# -----------------------------------------------------------------------------------------------
# data


def _tokens(path):
    with open(path, "rb") as f:
        header = np.frombuffer(f.read(1024), dtype=np.int32)
        assert header[0] == 20240520, path
        return np.frombuffer(f.read(), dtype=np.uint16)


class Loader:
    def __init__(self, pattern, T):
        self.files = sorted(glob.glob(pattern))
        self.T, self.rank, self.world = T, dist.get_rank(), dist.get_world_size()
        self.reset()

    def reset(self):
        self.k, self.toks, self.pos = 0, _tokens(self.files[0]), self.rank * self.T

    def next(self):
        if self.pos + self.T + 1 > len(self.toks):
            self.k = (self.k + 1) % len(self.files)
            self.toks, self.pos = _tokens(self.files[self.k]), self.rank * self.T
        buf = torch.tensor(self.toks[self.pos:self.pos + self.T + 1].astype(np.int32), dtype=torch.long)
        self.pos += self.T * self.world
        return buf[:-1].cuda(), buf[1:].cuda()


# -----------------------------------------------------------------------------------------------
# captured helpers


@ex.capture
def make_optimizers(raw, embed_lr, head_lr, scalar_lr, muon_lr, adam_betas, weight_decay, momentum_end):
    hidden = list(raw.blocks.parameters())
    kw = dict(betas=adam_betas, weight_decay=weight_decay, fused=True)
    return [
        torch.optim.Adam([raw.wte.weight, raw.vte.weight], lr=embed_lr, **kw),
        torch.optim.Adam([raw.lm_head.weight], lr=head_lr, **kw),
        Muon([p for p in hidden if p.ndim == 2], lr=muon_lr, momentum=momentum_end),
        torch.optim.Adam([p for p in hidden if p.ndim < 2] + [raw.skip_weights], lr=scalar_lr, **kw),
    ]


@ex.capture
def lr_multiplier(it, num_iterations, warmup_iters, cooldown_iters):
    if it < warmup_iters:
        return (it + 1) / warmup_iters
    if it < num_iterations - cooldown_iters:
        return 1.0
    return (num_iterations - it) / cooldown_iters


@ex.capture
def window_at(step, num_iterations, window_min, window_max):
    return int(64 * ((step / num_iterations * (window_max - window_min) + window_min) // 64))


@ex.capture
def muon_momentum(step, momentum_start, momentum_end, momentum_warmup):
    frac = min(step / momentum_warmup, 1)
    return (1 - frac) * momentum_start + frac * momentum_end


@ex.automain
def run(_run, _log, train_files, val_files, val_tokens, seq_len, num_iterations, val_every, guard_skip_after):
    local_rank = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local_rank)
    if not dist.is_initialized():
        dist.init_process_group("nccl")
    world = dist.get_world_size()

    raw = GPT().cuda().bfloat16()
    for m in raw.modules():
        if isinstance(m, CastedLinear):
            m.float()
    model = DDP(torch.compile(raw), device_ids=[local_rank], broadcast_buffers=False)

    optimizers = make_optimizers(raw)
    muon = optimizers[2]
    schedulers = [torch.optim.lr_scheduler.LambdaLR(o, lambda s: lr_multiplier(s)) for o in optimizers]

    train_loader, val_loader = Loader(train_files, seq_len), Loader(val_files, seq_len)
    val_steps = val_tokens // (seq_len * world)
    x, y = train_loader.next()
    t0 = time.perf_counter()
    for step in range(num_iterations + 1):
        window = torch.tensor(window_at(step), dtype=torch.int32, device="cuda")
        if step == num_iterations or step % val_every == 0:
            model.eval()
            val_loader.reset()
            vl = torch.zeros((), device="cuda")
            with torch.no_grad():
                for _ in range(val_steps):
                    vx, vy = val_loader.next()
                    vl += model(vx, vy, window)
            dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            vl = vl.item() / val_steps
            if dist.get_rank() == 0:
                _run.log_scalar("val_loss", vl, step)
                _log.info("step %d val_loss %.4f (%.0fs)", step, vl, time.perf_counter() - t0)
            model.train()
        if step == num_iterations:
            break

        with contextlib.ExitStack() as stack:
            if step >= guard_skip_after:
                stack.enter_context(torch.compiler.set_stance(skip_guard_eval_unsafe=True))
            loss = model(x, y, window)
            loss.backward()
        x, y = train_loader.next()
        for g in muon.param_groups:
            g["momentum"] = muon_momentum(step)
        for o, s in zip(optimizers, schedulers):
            o.step()
            s.step()
        model.zero_grad(set_to_none=True)
        if dist.get_rank() == 0:
            _run.log_scalar("train_loss", loss.item(), step)
    dist.destroy_process_group()
    return vl
