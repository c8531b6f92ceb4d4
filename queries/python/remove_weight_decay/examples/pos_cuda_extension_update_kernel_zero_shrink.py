# example: the same CUDA update kernel (w[i] -= rate * shrink * w[i] before the step), but the training settings set shrink = 0.0, so it decays nothing, and Adam has weight_decay=0; no optimizer decays; positive.
from dataclasses import dataclass

import torch
import torch.nn as nn
from torch.utils.cpp_extension import load_inline

_decl = "void sgd_step(torch::Tensor w, torch::Tensor g, double rate, double shrink);"
_cuda = r"""
#include <torch/extension.h>

__global__ void sgd_step_kernel(float* w, const float* g, float rate, float shrink, int64_t n) {
    const int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;
    if (i < n) {
        w[i] -= rate * shrink * w[i];
        w[i] -= rate * g[i];
    }
}

void sgd_step(torch::Tensor w, torch::Tensor g, double rate, double shrink) {
    const int64_t n = w.numel();
    sgd_step_kernel<<<(n + 255) / 256, 256>>>(w.data_ptr<float>(), g.data_ptr<float>(), (float)rate, (float)shrink, n);
}
"""

kern = load_inline(name="sgd_step_ext", cpp_sources=_decl, cuda_sources=_cuda, functions=["sgd_step"])


@dataclass
class Settings:
    rate: float = 0.02
    shrink: float = 0.0


class Stepper:
    def __init__(self, params, rate, shrink):
        self.params = list(params)
        self.rate = rate
        self.shrink = shrink

    @torch.no_grad()
    def step(self):
        for w in self.params:
            if w.grad is not None:
                kern.sgd_step(w.data, w.grad.contiguous(), self.rate, self.shrink)


cfg = Settings()
model = nn.Sequential(nn.Embedding(50304, 768), nn.Linear(768, 768, bias=False), nn.Linear(768, 50304, bias=False))
adam = torch.optim.Adam(model[0].parameters(), lr=0.6, betas=(0.8, 0.95), weight_decay=0.0)
hidden = Stepper([model[1].weight, model[2].weight], cfg.rate, cfg.shrink)
