# example: after backward, each parameter's gradient goes through a CUDA function compiled with load_inline whose single-block kernel sums the squares of the whole tensor (shared-memory reduction) and multiplies every element by 1 / (sqrtf(total) + eps) in place; positive.
import torch
import torch.nn as nn
from torch.utils.cpp_extension import load_inline

_decl = "void unit_norm_(torch::Tensor g, double eps);"
_cuda = r"""
#include <torch/extension.h>

__global__ void unit_norm_kernel(float* g, int64_t n, float eps) {
    __shared__ float part[512];
    float acc = 0.f;
    for (int64_t k = threadIdx.x; k < n; k += blockDim.x) {
        acc += g[k] * g[k];
    }
    part[threadIdx.x] = acc;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w /= 2) {
        if (threadIdx.x < w) part[threadIdx.x] += part[threadIdx.x + w];
        __syncthreads();
    }
    const float inv = 1.f / (sqrtf(part[0]) + eps);
    for (int64_t k = threadIdx.x; k < n; k += blockDim.x) {
        g[k] *= inv;
    }
}

void unit_norm_(torch::Tensor g, double eps) {
    unit_norm_kernel<<<1, 512>>>(g.data_ptr<float>(), g.numel(), (float)eps);
}
"""

gradops = load_inline(name="unit_norm_ext", cpp_sources=_decl, cuda_sources=_cuda, functions=["unit_norm_"])

model = nn.Sequential(nn.Linear(768, 3072, bias=False), nn.ReLU(), nn.Linear(3072, 768, bias=False))
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)


def train_step(x, y):
    loss = (model(x) - y).pow(2).mean()
    loss.backward()
    for p in model.parameters():
        if p.grad is not None:
            gradops.unit_norm_(p.grad, 1e-8)
    opt.step()
    opt.zero_grad(set_to_none=True)
    return loss.item()


for _ in range(100):
    batch = torch.randn(64, 768, device="cuda")
    train_step(batch, batch)
