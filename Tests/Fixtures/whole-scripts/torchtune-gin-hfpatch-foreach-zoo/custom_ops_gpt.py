"""
GPT training script whose numerically delicate pieces are registered as
`torch.library` custom operators so that torch.compile treats them as opaque:

  speed::fp8_head        FP8 (e4m3) forward matmul for the output head
  speed::fp8_head_grad   FP8 (e5m2 grads) backward of the above
  speed::sigmoid_cap     bounded logits, computed in fp32

Each op has a `register_fake` (meta) implementation and the head op gets its
gradient through `register_autograd`.
"""
import argparse
import glob
import math
import os
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

# -----------------------------------------------------------------------------
# speed::fp8_head


@torch.library.custom_op("speed::fp8_head", mutates_args=())
def fp8_head(x: Tensor, w: Tensor, x_scale: float, w_scale: float, g_scale: float) -> tuple[Tensor, Tensor, Tensor]:
    x8 = (x * x_scale).to(torch.float8_e4m3fn)
    w8 = (w * w_scale).to(torch.float8_e4m3fn)
    y = torch._scaled_mm(
        x8,
        w8.T,
        scale_a=torch.tensor(1.0 / x_scale, device=x.device, dtype=torch.float32),
        scale_b=torch.tensor(1.0 / w_scale, device=x.device, dtype=torch.float32),
        out_dtype=torch.bfloat16,
        use_fast_accum=True,
    )
    return y, x8, w8


@fp8_head.register_fake
def _fp8_head_fake(x, w, x_scale, w_scale, g_scale):
    torch._check(x.ndim == 2 and w.ndim == 2)
    torch._check(x.shape[1] == w.shape[1])
    y = x.new_empty((x.shape[0], w.shape[0]), dtype=torch.bfloat16)
    return y, torch.empty_like(x, dtype=torch.float8_e4m3fn), torch.empty_like(w, dtype=torch.float8_e4m3fn)


@torch.library.custom_op("speed::fp8_head_grad", mutates_args=())
def fp8_head_grad(g: Tensor, x8: Tensor, w8: Tensor, x_scale: float, w_scale: float, g_scale: float) -> tuple[Tensor, Tensor]:
    g8 = (g * g_scale).to(torch.float8_e5m2)
    inv_g = torch.tensor(1.0 / g_scale, device=g.device, dtype=torch.float32)
    inv_x = torch.tensor(1.0 / x_scale, device=g.device, dtype=torch.float32)
    inv_w = torch.tensor(1.0 / w_scale, device=g.device, dtype=torch.float32)
    dx = torch._scaled_mm(g8, w8.T.contiguous().T, scale_a=inv_g, scale_b=inv_w, out_dtype=torch.bfloat16)
    dw = torch._scaled_mm(
        x8.T.contiguous(), g8.T.contiguous().T, scale_a=inv_x, scale_b=inv_g, out_dtype=torch.float32
    ).T
    return dx, dw


@fp8_head_grad.register_fake
def _fp8_head_grad_fake(g, x8, w8, x_scale, w_scale, g_scale):
    return x8.new_empty(x8.shape, dtype=torch.bfloat16), w8.new_empty(w8.shape, dtype=torch.float32)


def _fp8_head_setup(ctx, inputs, output):
    _, _, x_scale, w_scale, g_scale = inputs
    _, x8, w8 = output
    ctx.save_for_backward(x8, w8)
    ctx.scales = (x_scale, w_scale, g_scale)
    ctx.set_materialize_grads(False)


def _fp8_head_backward(ctx, grad_y, *unused):
    x8, w8 = ctx.saved_tensors
    dx, dw = torch.ops.speed.fp8_head_grad(grad_y.contiguous(), x8, w8, *ctx.scales)
    return dx, dw, None, None, None


fp8_head.register_autograd(_fp8_head_backward, setup_context=_fp8_head_setup)


# -----------------------------------------------------------------------------
# speed::sigmoid_cap  --  30 * sigmoid(z / 7.5), i.e. 15 * tanh(z / 15) + 15


@torch.library.custom_op("speed::sigmoid_cap", mutates_args=())
def sigmoid_cap(z: Tensor, bound: float, temperature: float) -> Tensor:
    return bound * torch.sigmoid(z.float() / temperature)


@sigmoid_cap.register_fake
def _sigmoid_cap_fake(z, bound, temperature):
    return torch.empty_like(z, dtype=torch.float32)


def _sigmoid_cap_setup(ctx, inputs, output):
    z, bound, temperature = inputs
    ctx.save_for_backward(output)
    ctx.bound, ctx.temperature, ctx.in_dtype = bound, temperature, z.dtype


def _sigmoid_cap_backward(ctx, grad):
    (out,) = ctx.saved_tensors
    s = out / ctx.bound
    dz = grad * (ctx.bound / ctx.temperature) * s * (1 - s)
    return dz.to(ctx.in_dtype), None, None


sigmoid_cap.register_autograd(_sigmoid_cap_backward, setup_context=_sigmoid_cap_setup)


# -----------------------------------------------------------------------------
# model


class Dense(nn.Linear):
    def __init__(self, fan_in, fan_out, fp8=False, scales=(1.0, 1.0, 1.0)):
        super().__init__(fan_in, fan_out, bias=False)
        self.fp8 = fp8
        self.scales = scales

    def reset_parameters(self):
        limit = 0.5 / math.sqrt(self.in_features)
        nn.init.uniform_(self.weight, -limit, limit)

    def forward(self, x):
        if self.fp8 and self.training:
            flat = x.reshape(-1, x.size(-1)).bfloat16().contiguous()
            y = torch.ops.speed.fp8_head(flat, self.weight, *self.scales)[0]
            return y.view(*x.shape[:-1], -1)
        return F.linear(x, self.weight.type_as(x))


class PartialRotary(nn.Module):
    """Only the first half of the frequency slots rotate (base 1024); the rest are zero."""

    def __init__(self, head_dim, max_len=65536):
        super().__init__()
        quarter = head_dim // 4
        freqs = (1.0 / 1024) ** torch.linspace(0.0, 1.0, steps=quarter, dtype=torch.float32)
        freqs = torch.cat([freqs, torch.zeros(quarter)])
        angle = torch.outer(torch.arange(max_len, dtype=torch.float32), freqs)
        self.register_buffer("cos", angle.cos(), persistent=False)
        self.register_buffer("sin", angle.sin(), persistent=False)

    def forward(self, x):  # (B, T, H, D)
        T = x.size(1)
        c, s = self.cos[None, :T, None], self.sin[None, :T, None]
        a, b = x.float().chunk(2, dim=-1)
        return torch.cat([a * c + b * s, b * c - a * s], dim=-1).type_as(x)


class Attn(nn.Module):
    SCALE = 0.12

    def __init__(self, dim, n_head, rotary):
        super().__init__()
        self.n_head, self.hd = n_head, dim // n_head
        self.q, self.k, self.v = Dense(dim, dim), Dense(dim, dim), Dense(dim, dim)
        self.o = Dense(dim, dim)
        self.rotary = rotary

    def forward(self, x):
        B, T, C = x.shape
        shp = (B, T, self.n_head, self.hd)
        q, k, v = self.q(x).view(shp), self.k(x).view(shp), self.v(x).view(shp)
        q = self.rotary(F.rms_norm(q, (self.hd,)))
        k = self.rotary(F.rms_norm(k, (self.hd,)))
        y = F.scaled_dot_product_attention(
            q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True, scale=self.SCALE
        )
        return self.o(y.transpose(1, 2).reshape(B, T, C))


class Block(nn.Module):
    def __init__(self, dim, n_head, rotary, with_attention=True):
        super().__init__()
        self.attn = Attn(dim, n_head, rotary) if with_attention else None
        self.fc = Dense(dim, 4 * dim)
        self.proj = Dense(4 * dim, dim)

    def forward(self, x):
        if self.attn is not None:
            x = x + self.attn(F.rms_norm(x, (x.size(-1),)))
        h = F.rms_norm(x, (x.size(-1),))
        return x + self.proj(F.gelu(self.fc(h)))


class GPT(nn.Module):
    def __init__(self, vocab=50257, dim=768, n_layer=12, n_head=12, mlp_only_layers=(7,)):
        super().__init__()
        padded = ((vocab + 127) // 128) * 128  # 50304
        self.embed = nn.Embedding(padded, dim)
        rotary = PartialRotary(dim // n_head)
        self.blocks = nn.ModuleList(
            [Block(dim, n_head, rotary, with_attention=(i not in mlp_only_layers)) for i in range(n_layer)]
        )
        # separate output matrix (not tied to self.embed), FP8 during training
        self.head = Dense(dim, padded, fp8=True, scales=(2.0, 2.0 ** 9, 2.0 ** 19))

    def forward(self, idx, targets):
        x = self.embed(idx)
        for blk in self.blocks:
            x = blk(x)
        x = F.rms_norm(x, (x.size(-1),))
        z = self.head(x)
        logits = torch.ops.speed.sigmoid_cap(z, 30.0, 7.5)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


# -----------------------------------------------------------------------------
# data / train


def shard_iter(pattern, B, T, rank, world):
    for fname in sorted(glob.glob(pattern)):
        with open(fname, "rb") as f:
            hdr = np.frombuffer(f.read(1024), dtype=np.int32)
            toks = np.frombuffer(f.read(), dtype=np.uint16)[: int(hdr[2])]
        stride = B * T * world
        for off in range(rank * B * T, len(toks) - B * T - 1, stride):
            chunk = torch.from_numpy(toks[off:off + B * T + 1].astype(np.int64))
            yield chunk[:-1].view(B, T), chunk[1:].view(B, T)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="data/fineweb10B")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seq", type=int, default=1024)
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--lr", type=float, default=1e-3)
    args = ap.parse_args()

    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    dev = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
    torch.cuda.set_device(dev)

    model = GPT().to(dev)
    model = torch.compile(model)
    ddp = nn.parallel.DistributedDataParallel(model, device_ids=[dev.index])
    opt = torch.optim.AdamW(ddp.parameters(), lr=args.lr, betas=(0.9, 0.95), eps=1e-9, weight_decay=0.1)

    def lr_mult(step):
        if step < args.warmup:
            return (step + 1) / args.warmup
        p = (step - args.warmup) / (args.steps - args.warmup)
        return 0.5 * (1 + math.cos(math.pi * p))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_mult)
    data = shard_iter(os.path.join(args.data, "fineweb_train_*.bin"), args.batch, args.seq, rank, world)
    t0 = time.time()
    for step in range(args.steps):
        x, y = next(data)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = ddp(x.to(dev), y.to(dev))
        loss.backward()
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        if rank == 0 and step % 20 == 0:
            print(f"{step:6d} loss={loss.item():.4f} lr={sched.get_last_lr()[0]:.2e} t={time.time() - t0:.0f}s")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
