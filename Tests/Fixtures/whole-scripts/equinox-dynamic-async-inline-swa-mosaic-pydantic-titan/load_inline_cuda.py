"""
GPT trainer with a handful of hand-written fused CUDA ops compiled at start-up
through torch.utils.cpp_extension.load_inline.  Every op has an eager PyTorch
twin; pass --ops torch (or GPT_OPS=torch) to skip compilation entirely.

    torchrun --nproc_per_node=8 load_inline_cuda.py --ops cuda
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
from torch.nn.parallel import DistributedDataParallel as DDP

# ---------------------------------------------------------------------------
# CUDA sources
# ---------------------------------------------------------------------------

CPP_DECLS = r"""
#include <torch/extension.h>
#include <vector>
torch::Tensor sqrelu_forward(torch::Tensor x);
torch::Tensor sqrelu_backward(torch::Tensor x, torch::Tensor grad_out);
std::vector<torch::Tensor> unit_rms_forward(torch::Tensor x, double eps);
torch::Tensor tanh_cap_forward(torch::Tensor x, double cap);
torch::Tensor tanh_cap_backward(torch::Tensor y, torch::Tensor grad_out, double cap);
"""

CUDA_SRC = r"""
#include <torch/extension.h>
#include <ATen/cuda/CUDAContext.h>
#include <cuda.h>
#include <cuda_runtime.h>
#include <vector>

namespace {

constexpr int kThreads = 256;

inline int grid_for(int64_t n) { return static_cast<int>((n + kThreads - 1) / kThreads); }

template <typename T>
__global__ void sqrelu_fwd_kernel(const T* __restrict__ x, T* __restrict__ y, int64_t n) {
    int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (i < n) {
        float v = static_cast<float>(x[i]);
        float r = v > 0.f ? v : 0.f;
        y[i] = static_cast<T>(r * r);
    }
}

template <typename T>
__global__ void sqrelu_bwd_kernel(const T* __restrict__ x, const T* __restrict__ gy, T* __restrict__ gx, int64_t n) {
    int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (i < n) {
        float v = static_cast<float>(x[i]);
        float g = static_cast<float>(gy[i]);
        gx[i] = static_cast<T>(v > 0.f ? 2.f * v * g : 0.f);
    }
}

__device__ __forceinline__ float warp_sum(float v) {
    for (int off = 16; off > 0; off >>= 1) v += __shfl_down_sync(0xffffffff, v, off);
    return v;
}

// one thread block per row; no learnable gain
template <typename T>
__global__ void unit_rms_kernel(const T* __restrict__ x, T* __restrict__ y, float* __restrict__ inv,
                                int64_t cols, float eps) {
    const int64_t row = blockIdx.x;
    const T* xr = x + row * cols;
    T* yr = y + row * cols;
    float acc = 0.f;
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
        float v = static_cast<float>(xr[j]);
        acc += v * v;
    }
    __shared__ float partial[32];
    acc = warp_sum(acc);
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    if (lane == 0) partial[warp] = acc;
    __syncthreads();
    if (warp == 0) {
        acc = lane < (blockDim.x >> 5) ? partial[lane] : 0.f;
        acc = warp_sum(acc);
        if (lane == 0) partial[0] = acc;
    }
    __syncthreads();
    const float r = rsqrtf(partial[0] / static_cast<float>(cols) + eps);
    if (threadIdx.x == 0) inv[row] = r;
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
        yr[j] = static_cast<T>(static_cast<float>(xr[j]) * r);
    }
}

// bounded logits, always produced in fp32
template <typename T>
__global__ void tanh_cap_fwd_kernel(const T* __restrict__ x, float* __restrict__ y, int64_t n, float cap) {
    int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (i < n) y[i] = cap * tanhf(static_cast<float>(x[i]) / cap);
}

__global__ void tanh_cap_bwd_kernel(const float* __restrict__ y, const float* __restrict__ gy,
                                    float* __restrict__ gx, int64_t n, float cap) {
    int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (i < n) {
        float t = y[i] / cap;
        gx[i] = gy[i] * (1.f - t * t);
    }
}

}  // namespace

torch::Tensor sqrelu_forward(torch::Tensor x) {
    auto xc = x.contiguous();
    auto y = torch::empty_like(xc);
    const int64_t n = xc.numel();
    auto stream = at::cuda::getCurrentCUDAStream();
    AT_DISPATCH_FLOATING_TYPES_AND2(at::ScalarType::Half, at::ScalarType::BFloat16, xc.scalar_type(), "sqrelu_fwd", [&] {
        sqrelu_fwd_kernel<scalar_t><<<grid_for(n), kThreads, 0, stream>>>(xc.data_ptr<scalar_t>(), y.data_ptr<scalar_t>(), n);
    });
    return y;
}

torch::Tensor sqrelu_backward(torch::Tensor x, torch::Tensor grad_out) {
    auto xc = x.contiguous();
    auto gc = grad_out.contiguous().to(xc.scalar_type());
    auto gx = torch::empty_like(xc);
    const int64_t n = xc.numel();
    auto stream = at::cuda::getCurrentCUDAStream();
    AT_DISPATCH_FLOATING_TYPES_AND2(at::ScalarType::Half, at::ScalarType::BFloat16, xc.scalar_type(), "sqrelu_bwd", [&] {
        sqrelu_bwd_kernel<scalar_t><<<grid_for(n), kThreads, 0, stream>>>(
            xc.data_ptr<scalar_t>(), gc.data_ptr<scalar_t>(), gx.data_ptr<scalar_t>(), n);
    });
    return gx;
}

std::vector<torch::Tensor> unit_rms_forward(torch::Tensor x, double eps) {
    auto xc = x.contiguous();
    const int64_t cols = xc.size(-1);
    const int64_t rows = xc.numel() / cols;
    auto y = torch::empty_like(xc);
    auto inv = torch::empty({rows}, xc.options().dtype(torch::kFloat32));
    auto stream = at::cuda::getCurrentCUDAStream();
    AT_DISPATCH_FLOATING_TYPES_AND2(at::ScalarType::Half, at::ScalarType::BFloat16, xc.scalar_type(), "unit_rms", [&] {
        unit_rms_kernel<scalar_t><<<rows, kThreads, 0, stream>>>(
            xc.data_ptr<scalar_t>(), y.data_ptr<scalar_t>(), inv.data_ptr<float>(), cols, static_cast<float>(eps));
    });
    return {y, inv};
}

torch::Tensor tanh_cap_forward(torch::Tensor x, double cap) {
    auto xc = x.contiguous();
    auto y = torch::empty(xc.sizes(), xc.options().dtype(torch::kFloat32));
    const int64_t n = xc.numel();
    auto stream = at::cuda::getCurrentCUDAStream();
    AT_DISPATCH_FLOATING_TYPES_AND2(at::ScalarType::Half, at::ScalarType::BFloat16, xc.scalar_type(), "tanh_cap_fwd", [&] {
        tanh_cap_fwd_kernel<scalar_t><<<grid_for(n), kThreads, 0, stream>>>(
            xc.data_ptr<scalar_t>(), y.data_ptr<float>(), n, static_cast<float>(cap));
    });
    return y;
}

torch::Tensor tanh_cap_backward(torch::Tensor y, torch::Tensor grad_out, double cap) {
    auto yc = y.contiguous();
    auto gc = grad_out.contiguous().to(torch::kFloat32);
    auto gx = torch::empty_like(yc);
    const int64_t n = yc.numel();
    tanh_cap_bwd_kernel<<<grid_for(n), kThreads, 0, at::cuda::getCurrentCUDAStream()>>>(
        yc.data_ptr<float>(), gc.data_ptr<float>(), gx.data_ptr<float>(), n, static_cast<float>(cap));
    return gx;
}
"""


def build_extension(verbose: bool = False):
    from torch.utils.cpp_extension import load_inline
    return load_inline(
        name="gpt_fused_ops_v3",
        cpp_sources=CPP_DECLS,
        cuda_sources=CUDA_SRC,
        functions=["sqrelu_forward", "sqrelu_backward", "unit_rms_forward", "tanh_cap_forward", "tanh_cap_backward"],
        extra_cuda_cflags=["-O3", "--use_fast_math", "-lineinfo"],
        verbose=verbose,
    )


# ---------------------------------------------------------------------------
# op tables: eager fallback and fused kernels
# ---------------------------------------------------------------------------

class EagerOps:
    name = "torch"

    @staticmethod
    def sqrelu(x):
        return x.clamp(min=0) ** 2

    @staticmethod
    def unit_rms(x, eps=1e-6):
        return x * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + eps).to(x.dtype)

    @staticmethod
    def bounded_logits(x, cap):
        return cap * torch.tanh(x.float() / cap)


def make_fused_ops(ext):
    class _SqRelu(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return ext.sqrelu_forward(x)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return ext.sqrelu_backward(x, g)

    class _UnitRms(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, eps):
            y, inv = ext.unit_rms_forward(x, eps)
            ctx.save_for_backward(y, inv)
            return y

        @staticmethod
        def backward(ctx, g):
            y, inv = ctx.saved_tensors
            yf, gf = y.float(), g.float()
            dot = (gf * yf).mean(-1, keepdim=True)
            gx = inv.view(*y.shape[:-1], 1) * (gf - yf * dot)
            return gx.to(g.dtype), None

    class _TanhCap(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, cap):
            y = ext.tanh_cap_forward(x, cap)
            ctx.save_for_backward(y)
            ctx.cap, ctx.in_dtype = cap, x.dtype
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return ext.tanh_cap_backward(y, g, ctx.cap).to(ctx.in_dtype), None

    class FusedOps:
        name = "cuda"

        @staticmethod
        def sqrelu(x):
            return _SqRelu.apply(x)

        @staticmethod
        def unit_rms(x, eps=1e-6):
            return _UnitRms.apply(x, eps)

        @staticmethod
        def bounded_logits(x, cap):
            return _TanhCap.apply(x, cap)

    return FusedOps


def select_ops(choice: str):
    if choice == "cuda" and torch.cuda.is_available():
        try:
            return make_fused_ops(build_extension())
        except Exception as err:  # toolchain missing, etc.
            print(f"fused ops unavailable ({err!r}); using eager fallbacks")
    return EagerOps


OPS = EagerOps

# ---------------------------------------------------------------------------
# model
# ---------------------------------------------------------------------------

N_VOCAB = 50257
N_VOCAB_ALIGNED = -(-N_VOCAB // 128) * 128


def rope_tables(head_dim, seq_len, device, base=10000.0):
    inv = 1.0 / (base ** (torch.arange(0, head_dim, 2, device=device).float() / head_dim))
    freqs = torch.outer(torch.arange(seq_len, device=device).float(), inv)
    return freqs.cos()[None, :, None, :], freqs.sin()[None, :, None, :]


def apply_rope(x, cos, sin):
    h = x.shape[-1] // 2
    x1, x2 = x[..., :h].float(), x[..., h:].float()
    return torch.cat([x1 * cos + x2 * sin, x2 * cos - x1 * sin], -1).type_as(x)


class Attention(nn.Module):
    def __init__(self, d, n_head):
        super().__init__()
        self.n_head, self.hd = n_head, d // n_head
        self.c_attn = nn.Linear(d, 3 * d, bias=False)
        self.c_proj = nn.Linear(d, d, bias=False)
        nn.init.zeros_(self.c_proj.weight)

    def forward(self, x, cos, sin):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q = OPS.unit_rms(q.view(B, T, self.n_head, self.hd))
        k = OPS.unit_rms(k.view(B, T, self.n_head, self.hd))
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        v = v.view(B, T, self.n_head, self.hd)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class FeedForward(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.c_fc = nn.Linear(d, 4 * d, bias=False)
        self.c_proj = nn.Linear(4 * d, d, bias=False)
        nn.init.zeros_(self.c_proj.weight)

    def forward(self, x):
        return self.c_proj(OPS.sqrelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, d, n_head):
        super().__init__()
        self.attn = Attention(d, n_head)
        self.mlp = FeedForward(d)

    def forward(self, x, cos, sin):
        x = x + self.attn(OPS.unit_rms(x), cos, sin)
        return x + self.mlp(OPS.unit_rms(x))


class GPT(nn.Module):
    def __init__(self, n_layer=12, d=768, n_head=12, cap=30.0):
        super().__init__()
        self.n_head, self.cap = n_head, cap
        self.wte = nn.Embedding(N_VOCAB_ALIGNED, d)
        self.h = nn.ModuleList(Block(d, n_head) for _ in range(n_layer))
        self.lm_head = nn.Linear(d, N_VOCAB_ALIGNED, bias=False)
        nn.init.zeros_(self.lm_head.weight)

    def forward(self, idx, targets=None):
        T = idx.size(1)
        cos, sin = rope_tables(self.wte.embedding_dim // self.n_head, T, idx.device)
        x = OPS.unit_rms(self.wte(idx))
        for blk in self.h:
            x = blk(x, cos, sin)
        x = OPS.unit_rms(x)
        logits = OPS.bounded_logits(self.lm_head(x), self.cap)
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


# ---------------------------------------------------------------------------
# data + training
# ---------------------------------------------------------------------------

def shard_tokens(path):
    hdr = np.fromfile(path, dtype=np.int32, count=256)
    return np.fromfile(path, dtype=np.uint16, offset=256 * 4, count=int(hdr[2]))


class Loader:
    def __init__(self, pattern, B, T, rank, world):
        self.files = sorted(glob.glob(pattern))
        self.B, self.T, self.rank, self.world = B, T, rank, world
        self.i, self.toks = 0, shard_tokens(self.files[0])
        self.pos = rank * B * T

    def __next__(self):
        n = self.B * self.T
        if self.pos + n + 1 > len(self.toks):
            self.i = (self.i + 1) % len(self.files)
            self.toks, self.pos = shard_tokens(self.files[self.i]), self.rank * n
        chunk = torch.from_numpy(self.toks[self.pos:self.pos + n + 1].astype(np.int64)).cuda()
        self.pos += n * self.world
        return chunk[:-1].view(self.B, self.T), chunk[1:].view(self.B, self.T)


def main():
    global OPS
    ap = argparse.ArgumentParser()
    ap.add_argument("--ops", choices=["cuda", "torch"], default=os.environ.get("GPT_OPS", "cuda"))
    ap.add_argument("--train", default="data/fineweb10B/fineweb_train_*.bin")
    ap.add_argument("--val", default="data/fineweb10B/fineweb_val_*.bin")
    ap.add_argument("--micro_batch", type=int, default=64)
    ap.add_argument("--seq", type=int, default=1024)
    ap.add_argument("--tokens_per_step", type=int, default=8 * 64 * 1024)
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=500)
    args = ap.parse_args()

    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    OPS = select_ops(args.ops)
    if rank == 0:
        print(f"ops backend: {OPS.name}")

    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cuda.enable_flash_sdp(True)
    torch.backends.cuda.enable_mem_efficient_sdp(False)
    torch.backends.cuda.enable_math_sdp(False)

    per_micro = args.micro_batch * args.seq * world
    assert args.tokens_per_step % per_micro == 0
    accum = args.tokens_per_step // per_micro

    model = GPT().cuda()
    net = DDP(model, device_ids=[torch.cuda.current_device()])
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=0.1, fused=True)

    def lr_at(step):
        if step < args.warmup:
            return args.lr * (step + 1) / args.warmup
        frac = (step - args.warmup) / max(1, args.steps - args.warmup)
        return args.lr * 0.5 * (1.0 + math.cos(math.pi * frac))

    train = Loader(args.train, args.micro_batch, args.seq, rank, world)
    t0 = time.time()
    for step in range(args.steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        for micro in range(accum):
            x, y = next(train)
            net.require_backward_grad_sync = micro == accum - 1
            with torch.autocast("cuda", dtype=torch.bfloat16):
                loss = net(x, y) / accum
            loss.backward()
        grads = [p.grad for p in model.parameters() if p.grad is not None]
        total = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))
        torch._foreach_div_(grads, total + 1e-6)
        opt.step()
        opt.zero_grad(set_to_none=True)
        if rank == 0 and step % 25 == 0:
            print(f"step {step} loss {loss.item() * accum:.4f} gnorm {total.item():.3f} "
                  f"{(time.time() - t0) / (step + 1):.3f}s/step")

    if rank == 0:
        val = Loader(args.val, args.micro_batch, args.seq, 0, 1)
        model.eval()
        with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
            vl = sum(model(*next(val)).item() for _ in range(20)) / 20
        print(f"final val loss {vl:.4f}")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
