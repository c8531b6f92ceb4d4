"""
GPT trainer using xformers memory-efficient attention with block-diagonal
attention biases (one block per document), plus a Triton-fused squared-ReLU.

    torchrun --nproc_per_node=8 xformers_triton_gpt.py
"""
import argparse
import glob
import os
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
import triton
import triton.language as tl
import xformers.ops as xops
from xformers.ops import fmha
from torch.nn.parallel import DistributedDataParallel as DDP


@dataclass
class Hyperparameters:
    train_bin: str = "data/fineweb10B/fineweb_train_*.bin"
    val_bin: str = "data/fineweb10B/fineweb_val_*.bin"
    batch_size: int = 16
    seq_len: int = 1024
    vocab_size: int = 50257
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    eot_token: int = 50256
    attn_window: int = 0
    logit_cap: float = 30.0
    adam_lr: float = 0.004
    adam_wd: float = 0.01
    muon_lr: float = 0.02
    muon_momentum: float = 0.95
    grad_clip: float = 1.0
    num_iterations: int = 6000
    warmup_iters: int = 200
    cooldown_iters: int = 5800
    val_every: int = 250
    val_tokens: int = 10485760
    log_grad_norms_every: int = 100


# ============================================================================
# Triton: fused squared ReLU (forward + backward)
# ============================================================================

@triton.jit
def _relu_sq_fwd_kernel(x_ptr, y_ptr, n_elements, BLOCK_SIZE: tl.constexpr):
    pid = tl.program_id(axis=0)
    offsets = pid * BLOCK_SIZE + tl.arange(0, BLOCK_SIZE)
    mask = offsets < n_elements
    x = tl.load(x_ptr + offsets, mask=mask, other=0.0).to(tl.float32)
    r = tl.maximum(x, 0.0)
    tl.store(y_ptr + offsets, (r * r).to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def _relu_sq_bwd_kernel(x_ptr, dy_ptr, dx_ptr, n_elements, BLOCK_SIZE: tl.constexpr):
    pid = tl.program_id(axis=0)
    offsets = pid * BLOCK_SIZE + tl.arange(0, BLOCK_SIZE)
    mask = offsets < n_elements
    x = tl.load(x_ptr + offsets, mask=mask, other=0.0).to(tl.float32)
    dy = tl.load(dy_ptr + offsets, mask=mask, other=0.0).to(tl.float32)
    dx = 2.0 * tl.maximum(x, 0.0) * dy
    tl.store(dx_ptr + offsets, dx.to(dx_ptr.dtype.element_ty), mask=mask)


class FusedReLUSquared(torch.autograd.Function):
    BLOCK = 1024

    @staticmethod
    def forward(ctx, x):
        x = x.contiguous()
        y = torch.empty_like(x)
        n = x.numel()
        grid = (triton.cdiv(n, FusedReLUSquared.BLOCK),)
        _relu_sq_fwd_kernel[grid](x, y, n, BLOCK_SIZE=FusedReLUSquared.BLOCK)
        ctx.save_for_backward(x)
        return y

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        dy = dy.contiguous()
        dx = torch.empty_like(x)
        n = x.numel()
        grid = (triton.cdiv(n, FusedReLUSquared.BLOCK),)
        _relu_sq_bwd_kernel[grid](x, dy, dx, n, BLOCK_SIZE=FusedReLUSquared.BLOCK)
        return dx


relu_squared = FusedReLUSquared.apply


# ============================================================================
# attention bias construction
# ============================================================================

def document_seqlens(idx: torch.Tensor, eot: int):
    """Split a (B, T) batch into segments: each row is separate, and a new
    document starts at every EOT token. Returns python ints for xformers."""
    B, T = idx.shape
    flat = idx.reshape(-1)
    starts = torch.nonzero(flat == eot, as_tuple=False).flatten()
    row_starts = torch.arange(0, B * T, T, device=idx.device)
    bounds = torch.cat([starts, row_starts, flat.new_tensor([B * T])]).unique(sorted=True)
    if bounds[0] != 0:
        bounds = torch.cat([bounds.new_zeros(1), bounds])
    return (bounds[1:] - bounds[:-1]).tolist()


def make_attn_bias(idx: torch.Tensor, hp: Hyperparameters):
    seqlens = document_seqlens(idx, hp.eot_token)
    if hp.attn_window > 0:
        return fmha.attn_bias.BlockDiagonalCausalLocalAttentionMask.from_seqlens(seqlens, window_size=hp.attn_window)
    return fmha.attn_bias.BlockDiagonalCausalMask.from_seqlens(seqlens)


# ============================================================================
# model
# ============================================================================

def rms_norm(x):
    return F.rms_norm(x, (x.size(-1),))


class Rotary(nn.Module):
    def __init__(self, dim, base=10000.0):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim)), persistent=False)

    def forward(self, T, device):
        t = torch.arange(T, device=device, dtype=torch.float32)
        freqs = torch.outer(t, self.inv_freq)
        return freqs.cos()[None, :, None, :], freqs.sin()[None, :, None, :]


def apply_rotary(x, cos, sin):
    d = x.size(-1) // 2
    x1, x2 = x[..., :d].float(), x[..., d:].float()
    return torch.cat([x1 * cos + x2 * sin, x2 * cos - x1 * sin], dim=-1).type_as(x)


class Attention(nn.Module):
    def __init__(self, hp: Hyperparameters):
        super().__init__()
        self.n_head = hp.n_head
        self.head_dim = hp.n_embd // hp.n_head
        self.qkv = nn.Linear(hp.n_embd, 3 * hp.n_embd, bias=False)
        self.c_proj = nn.Linear(hp.n_embd, hp.n_embd, bias=False)
        nn.init.zeros_(self.c_proj.weight)
        self.rotary = Rotary(self.head_dim)

    def forward(self, x, attn_bias):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.n_head, self.head_dim).unbind(dim=2)
        q, k = rms_norm(q), rms_norm(k)
        cos, sin = self.rotary(T, x.device)
        q, k = apply_rotary(q, cos, sin), apply_rotary(k, cos, sin)
        # xformers wants the whole batch as a single packed sequence when using block-diagonal biases
        q = q.reshape(1, B * T, self.n_head, self.head_dim)
        k = k.reshape(1, B * T, self.n_head, self.head_dim)
        v = v.reshape(1, B * T, self.n_head, self.head_dim)
        y = xops.memory_efficient_attention(q, k, v, attn_bias=attn_bias)
        return self.c_proj(y.reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, hp: Hyperparameters):
        super().__init__()
        self.c_fc = nn.Linear(hp.n_embd, 4 * hp.n_embd, bias=False)
        self.c_proj = nn.Linear(4 * hp.n_embd, hp.n_embd, bias=False)
        nn.init.zeros_(self.c_proj.weight)

    def forward(self, x):
        return self.c_proj(relu_squared(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, hp):
        super().__init__()
        self.attn = Attention(hp)
        self.mlp = MLP(hp)

    def forward(self, x, attn_bias):
        x = x + self.attn(rms_norm(x), attn_bias)
        x = x + self.mlp(rms_norm(x))
        return x


class GPT(nn.Module):
    def __init__(self, hp: Hyperparameters):
        super().__init__()
        self.hp = hp
        self.wte = nn.Embedding(hp.vocab_size, hp.n_embd)
        nn.init.normal_(self.wte.weight, std=0.02)
        self.blocks = nn.ModuleList([Block(hp) for _ in range(hp.n_layer)])
        self.lm_head = nn.Linear(hp.n_embd, hp.vocab_size, bias=False)
        nn.init.zeros_(self.lm_head.weight)

    def forward(self, idx, targets=None):
        attn_bias = make_attn_bias(idx, self.hp)
        x = self.wte(idx)
        for block in self.blocks:
            x = block(x, attn_bias)
        x = rms_norm(x)
        logits = self.lm_head(x)
        cap = self.hp.logit_cap
        logits = cap * torch.tanh(logits / cap)
        logits = logits.float()
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


# ============================================================================
# Muon
# ============================================================================

def zeropower_ns(G, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    X = X / (X.norm() + 1e-7)
    flip = G.size(0) > G.size(1)
    if flip:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    if flip:
        X = X.T
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, nesterov=True, ns_steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if "momentum_buffer" not in st:
                    st["momentum_buffer"] = torch.zeros_like(p.grad)
                buf = st["momentum_buffer"]
                buf.mul_(group["momentum"]).add_(p.grad)
                g = p.grad.add(buf, alpha=group["momentum"]) if group["nesterov"] else buf
                g = zeropower_ns(g, group["ns_steps"])
                g = g * max(1, g.size(0) / g.size(1)) ** 0.5
                p.add_(g.type_as(p), alpha=-group["lr"])


# ============================================================================
# data
# ============================================================================

def load_bin(path):
    with open(path, "rb") as f:
        header = np.frombuffer(f.read(1024), dtype=np.int32)
        assert header[0] == 20240520
        return np.frombuffer(f.read(), dtype=np.uint16)[: int(header[2])]


class Loader:
    def __init__(self, pattern, B, T, rank, world):
        self.files = sorted(glob.glob(pattern))
        self.B, self.T, self.rank, self.world = B, T, rank, world
        self.reset()

    def reset(self):
        self.fi, self.pos = 0, 0
        self.tok = load_bin(self.files[0])

    def next(self):
        n = self.B * self.T
        if self.pos + n * self.world + 1 > len(self.tok):
            self.fi = (self.fi + 1) % len(self.files)
            self.tok, self.pos = load_bin(self.files[self.fi]), 0
        s = self.pos + self.rank * n
        buf = torch.from_numpy(self.tok[s : s + n + 1].astype(np.int64))
        self.pos += n * self.world
        return buf[:-1].view(self.B, self.T).cuda(), buf[1:].view(self.B, self.T).cuda()


# ============================================================================

def lr_schedule(step, hp):
    if step < hp.warmup_iters:
        return (step + 1) / hp.warmup_iters
    remaining = hp.num_iterations - step
    if remaining < hp.cooldown_iters:
        return remaining / hp.cooldown_iters
    return 1.0


def main():
    ap = argparse.ArgumentParser()
    for name, field in Hyperparameters.__dataclass_fields__.items():
        ap.add_argument(f"--{name}", type=type(field.default), default=field.default)
    hp = Hyperparameters(**vars(ap.parse_args()))

    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local_rank)
    master = rank == 0

    raw = GPT(hp).cuda()
    matrix_params = [p for p in raw.blocks.parameters() if p.ndim == 2]
    adamw = torch.optim.AdamW([raw.wte.weight, raw.lm_head.weight], lr=hp.adam_lr,
                              betas=(0.9, 0.95), weight_decay=hp.adam_wd)
    muon = Muon(matrix_params, lr=hp.muon_lr, momentum=hp.muon_momentum)
    optimizers = [adamw, muon]
    for o in optimizers:
        for g in o.param_groups:
            g["initial_lr"] = g["lr"]
    model = DDP(raw, device_ids=[local_rank])

    train_loader = Loader(hp.train_bin, hp.batch_size, hp.seq_len, rank, world)
    val_loader = Loader(hp.val_bin, hp.batch_size, hp.seq_len, rank, world)
    val_steps = hp.val_tokens // (hp.batch_size * hp.seq_len * world)

    prev_grad_dirs = {}
    t0 = time.perf_counter()
    for step in range(hp.num_iterations + 1):
        if step % hp.val_every == 0 or step == hp.num_iterations:
            model.eval()
            val_loader.reset()
            vl = torch.zeros((), device="cuda")
            with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
                for _ in range(val_steps):
                    vl += model(*val_loader.next())
            dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            if master:
                print(f"step {step} val_loss {vl.item() / val_steps:.4f} t={time.perf_counter() - t0:.0f}s")
            model.train()
        if step == hp.num_iterations:
            break

        x, y = train_loader.next()
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = model(x, y)
        loss.backward()

        if master and step % hp.log_grad_norms_every == 0:
            drift = {}
            for n, p in raw.named_parameters():
                if p.grad is None:
                    continue
                unit = p.grad / (p.grad.norm() + 1e-6)
                if n in prev_grad_dirs:
                    drift[n] = (unit * prev_grad_dirs[n]).sum().item()
                prev_grad_dirs[n] = unit.detach().clone()
            if drift:
                worst = sorted(drift.items(), key=lambda kv: kv[1])[:5]
                print("least aligned grad directions:", ", ".join(f"{n}={v:.3f}" for n, v in worst))
        torch.nn.utils.clip_grad_norm_(raw.parameters(), hp.grad_clip)

        f = lr_schedule(step, hp)
        for o in optimizers:
            for g in o.param_groups:
                g["lr"] = g["initial_lr"] * f
            o.step()
        model.zero_grad(set_to_none=True)
        if master and step % 25 == 0:
            print(f"step {step + 1}/{hp.num_iterations} loss {loss.item():.4f}")

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
