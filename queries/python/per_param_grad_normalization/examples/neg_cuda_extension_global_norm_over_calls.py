# example: a CUDA extension compiled with load_inline clips globally: one function adds the squares of each gradient into a shared one-element buffer (atomicAdd), called for every parameter, and another multiplies each gradient by 1 / (sqrtf(total) + eps) read from that buffer; every gradient is divided by the norm of all of them together, not by its own; negative.
import torch
import torch.nn as nn
from torch.utils.cpp_extension import load_inline

_decl = """
void add_sumsq(torch::Tensor g, torch::Tensor total);
void scale_by_total(torch::Tensor g, torch::Tensor total, double eps);
"""
_cuda = r"""
#include <torch/extension.h>

__global__ void add_sumsq_kernel(const float* g, float* total, int64_t n) {
    float acc = 0.f;
    for (int64_t k = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; k < n; k += (int64_t)blockDim.x * gridDim.x) {
        const float v = g[k];
        acc += v * v;
    }
    atomicAdd(total, acc);
}

__global__ void scale_by_total_kernel(float* g, const float* total, int64_t n, float eps) {
    const float inv = 1.f / (sqrtf(*total) + eps);
    for (int64_t k = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; k < n; k += (int64_t)blockDim.x * gridDim.x) {
        g[k] = g[k] * inv;
    }
}

void add_sumsq(torch::Tensor g, torch::Tensor total) {
    add_sumsq_kernel<<<256, 256>>>(g.data_ptr<float>(), total.data_ptr<float>(), g.numel());
}

void scale_by_total(torch::Tensor g, torch::Tensor total, double eps) {
    scale_by_total_kernel<<<256, 256>>>(g.data_ptr<float>(), total.data_ptr<float>(), g.numel(), (float)eps);
}
"""

clipops = load_inline(name="global_clip_ext", cpp_sources=_decl, cuda_sources=_cuda, functions=["add_sumsq", "scale_by_total"])

model = nn.Sequential(nn.Linear(768, 3072, bias=False), nn.ReLU(), nn.Linear(3072, 768, bias=False))
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)


def train_step(x, y):
    loss = (model(x) - y).pow(2).mean()
    loss.backward()
    total = torch.zeros(1, device=x.device)
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    for g in grads:
        clipops.add_sumsq(g, total)
    for g in grads:
        clipops.scale_by_total(g, total, 1e-6)
    opt.step()
    opt.zero_grad(set_to_none=True)
    return loss.item()


for _ in range(100):
    batch = torch.randn(64, 768, device="cuda")
    train_step(batch, batch)
