# example: the same CUDA sigmoid cap, but the divisor passed from Python is 15 (30 * sigmoid(x / 15)), which is no shifted tanh cap of 15; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.cpp_extension import load_inline

CAP = 30.0
DIV = 15.0

_decl = "torch::Tensor cap_rows(torch::Tensor x, double cap, double inv_div);"
_cuda = r"""
#include <torch/extension.h>

__global__ void cap_kernel(const float* __restrict__ x, float* __restrict__ y, float cap, float inv_div, int64_t n) {
    int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        const float u = x[i] * inv_div;
        y[i] = cap / (1.f + __expf(-u));
    }
}

torch::Tensor cap_rows(torch::Tensor x, double cap, double inv_div) {
    auto xf = x.contiguous().to(torch::kFloat32);
    auto y = torch::empty_like(xf);
    const int64_t n = xf.numel();
    cap_kernel<<<(n + 255) / 256, 256>>>(xf.data_ptr<float>(), y.data_ptr<float>(), (float)cap, (float)inv_div, n);
    return y;
}
"""

_ext = load_inline(name="cap_rows_ext", cpp_sources=_decl, cuda_sources=_cuda, functions=["cap_rows"])


class CapRows(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, cap):
        y = _ext.cap_rows(x, cap, 1.0 / DIV)
        ctx.save_for_backward(y)
        ctx.cap = cap
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        s = y / ctx.cap
        return g * ctx.cap / DIV * s * (1 - s), None


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList(nn.Linear(width, width, bias=False) for _ in range(depth))
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def forward(self, ids, targets):
        h = self.embed(ids)
        for layer in self.layers:
            h = h + torch.relu(layer(h))
        logits = CapRows.apply(self.lm_head(h), CAP)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
