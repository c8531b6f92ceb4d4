"""GPT-2 (124M) pretraining on FineWeb shards, configured with gin.

All hyperparameters live in the bindings string below; anything can be overridden
from the command line with --gin_param="train.num_steps=100" style flags.
"""

import argparse
import glob
import math
import os
import time

import gin
import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

DEFAULT_BINDINGS = """
# ---- model ----
GPTModel.vocab_size = 50257
GPTModel.n_layer = 12
GPTModel.n_head = 12
GPTModel.d_model = 768
GPTModel.proj_init_std = 0.02
RotaryCache.base = 10000

# ---- data ----
shard_batches.train_glob = './fineweb10B/fineweb_train_*.bin'
shard_batches.val_glob = './fineweb10B/fineweb_val_*.bin'
shard_batches.micro_batch = 64   # 64 x 1024 tokens per GPU, x 8 GPUs = 524,288 tokens / step
shard_batches.seq_len = 1024

# ---- optimization ----
build_optimizers.base_lr = 0.0036
build_optimizers.spectral_lr_ratio = 0.1
build_optimizers.betas = (0.9, 0.95)
build_optimizers.weight_decay = 0.0
build_optimizers.fused = True
SpectralMomentum.momentum = 0.95
SpectralMomentum.ns_steps = 5

lr_multiplier.warmup_steps = 0
lr_multiplier.decay_steps = 2000

momentum_schedule.initial = 0.85
momentum_schedule.final = 0.95
momentum_schedule.ramp_steps = 300

train.num_steps = 5100
train.eval_interval = 250
train.eval_tokens = 10485760
train.log_grad_stats = True
"""


# -----------------------------------------------------------------------------
# rotary position encoding

@gin.configurable
class RotaryCache(nn.Module):
    def __init__(self, head_dim, base=10000):
        super().__init__()
        freqs = 1.0 / (base ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
        self.register_buffer("freqs", freqs)
        self._len = 0
        self._cos = None
        self._sin = None

    def forward(self, seq_len, device):
        if seq_len != self._len:
            pos = torch.arange(seq_len, device=device, dtype=torch.float32)
            angles = torch.outer(pos, self.freqs.to(device))
            self._cos = angles.cos().bfloat16()
            self._sin = angles.sin().bfloat16()
            self._len = seq_len
        return self._cos[None, :, None, :], self._sin[None, :, None, :]


def rotate(x, cos, sin):
    d = x.size(-1) // 2
    a, b = x[..., :d], x[..., d:]
    return torch.cat([a * cos + b * sin, b * cos - a * sin], dim=-1)


def rmsnorm(x, eps=1e-6):
    xf = x.float()
    xf = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)
    return xf.type_as(x)


# -----------------------------------------------------------------------------
# model

class SelfAttention(nn.Module):
    def __init__(self, d_model, n_head):
        super().__init__()
        self.n_head = n_head
        self.head_dim = d_model // n_head
        self.c_attn = nn.Linear(d_model, 3 * d_model, bias=False)
        self.c_proj = nn.Linear(d_model, d_model, bias=False)
        self.rope = RotaryCache(self.head_dim)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q = q.view(B, T, self.n_head, self.head_dim)
        k = k.view(B, T, self.n_head, self.head_dim)
        v = v.view(B, T, self.n_head, self.head_dim)
        cos, sin = self.rope(T, x.device)
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class FeedForward(nn.Module):
    def __init__(self, d_model):
        super().__init__()
        self.c_fc = nn.Linear(d_model, 4 * d_model, bias=False)
        self.c_proj = nn.Linear(4 * d_model, d_model, bias=False)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))


class Layer(nn.Module):
    def __init__(self, d_model, n_head, n_layer):
        super().__init__()
        self.attn = SelfAttention(d_model, n_head)
        self.ffn = FeedForward(d_model)
        self.branch_scale = (2 * n_layer) ** -0.5

    def forward(self, x):
        x = x + self.branch_scale * self.attn(rmsnorm(x))
        x = x + self.ffn(rmsnorm(x))
        return x


@gin.configurable
class GPTModel(nn.Module):
    def __init__(self, vocab_size=50257, n_layer=12, n_head=12, d_model=768, proj_init_std=0.02):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, d_model)
        self.layers = nn.ModuleList([Layer(d_model, n_head, n_layer) for _ in range(n_layer)])
        self.head = nn.Linear(d_model, vocab_size, bias=False)
        self.head.weight = self.wte.weight
        # GPT-2 style: residual projections get a depth-scaled init
        for layer in self.layers:
            for proj in (layer.attn.c_proj, layer.ffn.c_proj):
                nn.init.normal_(proj.weight, mean=0.0, std=proj_init_std / math.sqrt(2 * n_layer))

    def forward(self, idx, targets=None):
        x = self.wte(idx)
        for layer in self.layers:
            x = layer(x)
        x = rmsnorm(x)
        logits = self.head(x)
        logits = logits.float()
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


# -----------------------------------------------------------------------------
# optimizer: momentum SGD with orthogonalized, sharded updates

def newton_schulz5(G, steps, eps=1e-7):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    X /= X.norm() + eps
    flip = G.size(0) > G.size(1)
    if flip:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * (A @ B)
    if flip:
        X = X.T
    return X


@gin.configurable
class SpectralMomentum(torch.optim.Optimizer):
    """SGD + Nesterov momentum, update replaced by its zeroth matrix power.

    Work is split across ranks: rank r orthogonalizes parameters r, r+W, r+2W, ...
    and the flattened updates are shared with a single all_reduce.
    """

    def __init__(self, params, lr=3.6e-4, momentum=0.95, ns_steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, ns_steps=ns_steps))
        self.rank = dist.get_rank() if dist.is_initialized() else 0
        self.world = dist.get_world_size() if dist.is_initialized() else 1

    def _orthogonal_update(self, g, steps):
        rows, cols = g.shape
        if rows == 3 * cols:
            # fused c_attn: treat q, k and v as three independent matrices
            blocks = [newton_schulz5(blk, steps) for blk in g.split(cols, dim=0)]
            return torch.cat(blocks, dim=0) * (cols ** 0.5)
        return newton_schulz5(g, steps) * (max(rows, cols) ** 0.5)

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            numel = sum(p.numel() for p in params)
            flat = torch.zeros(numel, device=params[0].device, dtype=torch.bfloat16)
            offset = 0
            for i, p in enumerate(params):
                n = p.numel()
                if i % self.world == self.rank:
                    st = self.state[p]
                    if "buf" not in st:
                        st["buf"] = torch.zeros_like(p.grad)
                    buf = st["buf"]
                    buf.mul_(group["momentum"]).add_(p.grad)
                    g = p.grad.add(buf, alpha=group["momentum"])
                    flat[offset:offset + n] = self._orthogonal_update(g, group["ns_steps"]).flatten()
                offset += n
            if self.world > 1:
                dist.all_reduce(flat, op=dist.ReduceOp.SUM)
            offset = 0
            for p in params:
                n = p.numel()
                p.add_(flat[offset:offset + n].view_as(p).type_as(p), alpha=-group["lr"])
                offset += n


@gin.configurable
def build_optimizers(model, base_lr=gin.REQUIRED, spectral_lr_ratio=0.1, betas=(0.9, 0.95),
                     weight_decay=0.0, fused=True):
    embed = torch.optim.AdamW([model.wte.weight], lr=base_lr, betas=betas,
                              weight_decay=weight_decay, fused=fused)
    matrices = [p for p in model.layers.parameters() if p.ndim == 2]
    spectral = SpectralMomentum(matrices, lr=spectral_lr_ratio * base_lr)
    return [embed, spectral]


@gin.configurable
def lr_multiplier(step, total_steps, warmup_steps=0, decay_steps=2000):
    if warmup_steps > 0 and step < warmup_steps:
        return (step + 1) / warmup_steps
    if step < total_steps - decay_steps:
        return 1.0
    return (total_steps - step) / decay_steps


@gin.configurable
def momentum_schedule(step, initial=0.85, final=0.95, ramp_steps=300):
    t = min(step / ramp_steps, 1.0)
    return (1.0 - t) * initial + t * final


# -----------------------------------------------------------------------------
# data

def read_shard(path):
    with open(path, "rb") as f:
        header = np.frombuffer(f.read(256 * 4), dtype=np.int32)
        assert header[0] == 20240520 and header[1] == 1
        return np.frombuffer(f.read(), dtype=np.uint16, count=int(header[2]))


@gin.configurable
def shard_batches(split, rank, world, train_glob=gin.REQUIRED, val_glob=gin.REQUIRED,
                  micro_batch=64, seq_len=1024):
    files = sorted(glob.glob(train_glob if split == "train" else val_glob))
    B, T = micro_batch, seq_len
    while True:
        for path in files:
            toks = read_shard(path)
            pos = rank * B * T
            while pos + B * T + 1 <= len(toks):
                buf = torch.from_numpy(toks[pos:pos + B * T + 1].astype(np.int64))
                yield buf[:-1].view(B, T), buf[1:].view(B, T)
                pos += B * T * world
        if split != "train":
            return


def grad_diagnostics(model):
    """Returns per-parameter gradient norms and the norms after unit normalization."""
    stats = {}
    for name, p in model.named_parameters():
        if p.grad is None:
            continue
        unit = p.grad / (p.grad.norm() + 1e-6)
        stats[name] = (p.grad.norm().item(), unit.norm().item())
    return stats


# -----------------------------------------------------------------------------
# training

@gin.configurable
def train(num_steps=gin.REQUIRED, eval_interval=250, eval_tokens=10485760, log_grad_stats=False):
    ddp = "RANK" in os.environ
    if ddp:
        dist.init_process_group("nccl")
    rank = dist.get_rank() if ddp else 0
    world = dist.get_world_size() if ddp else 1
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    device = f"cuda:{local_rank}"
    torch.cuda.set_device(device)
    master = rank == 0

    raw = GPTModel().to(device)
    model = torch.compile(raw)
    if ddp:
        model = DistributedDataParallel(model, device_ids=[local_rank])

    optimizers = build_optimizers(raw)
    spectral = optimizers[1]
    base_lrs = [[g["lr"] for g in opt.param_groups] for opt in optimizers]

    train_iter = shard_batches("train", rank, world)
    t_start = time.time()
    for step in range(num_steps + 1):
        if step % eval_interval == 0 or step == num_steps:
            model.eval()
            losses = []
            val_iter = shard_batches("val", rank, world)
            n_eval = eval_tokens // (64 * 1024 * world)
            with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
                for _ in range(n_eval):
                    xv, yv = next(val_iter)
                    losses.append(model(xv.to(device), yv.to(device)))
            vl = torch.stack(losses).mean()
            if ddp:
                dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            if master:
                print(f"[eval] step {step} val_loss {vl.item():.4f} elapsed {time.time() - t_start:.0f}s")
            model.train()
        if step == num_steps:
            break

        x, y = next(train_iter)
        x, y = x.to(device), y.to(device)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = model(x, y)
        loss.backward()

        if log_grad_stats and master and step % 100 == 0:
            stats = grad_diagnostics(raw)
            worst = max(stats.items(), key=lambda kv: kv[1][0])
            print(f"[grad] largest grad norm {worst[0]} = {worst[1][0]:.3e}")

        mult = lr_multiplier(step, num_steps)
        for opt, lrs in zip(optimizers, base_lrs):
            for g, lr0 in zip(opt.param_groups, lrs):
                g["lr"] = lr0 * mult
        for g in spectral.param_groups:
            g["momentum"] = momentum_schedule(step)
        for opt in optimizers:
            opt.step()
        model.zero_grad(set_to_none=True)

        if master and step % 20 == 0:
            print(f"step {step}/{num_steps} loss {loss.item():.4f} lr_mult {mult:.3f}")

    if ddp:
        dist.destroy_process_group()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--gin_file", action="append", default=[])
    parser.add_argument("--gin_param", action="append", default=[])
    args = parser.parse_args()
    gin.parse_config(DEFAULT_BINDINGS)
    gin.parse_config_files_and_bindings(args.gin_file, args.gin_param)
    train()
