# example: the extension is compiled by a helper that returns load_inline(...) and handed to an ops factory as its `lib`
# parameter; the factory's class calls `lib.rms_rows`, whose kernel scales each row by rsqrtf(mean of squares + eps), and
# the model normalizes its token embeddings through `OPS.rms_rows`; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.cpp_extension import load_inline

_decl = "torch::Tensor rms_rows(torch::Tensor x, double eps);"
_cuda = r"""
#include <torch/extension.h>

__global__ void rms_rows_kernel(const float* x, float* y, int64_t width, float eps) {
    __shared__ float partial[256];
    const int64_t row = blockIdx.x;
    float acc = 0.f;
    for (int64_t j = threadIdx.x; j < width; j += blockDim.x) {
        const float v = x[row * width + j];
        acc += v * v;
    }
    partial[threadIdx.x] = acc;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) partial[threadIdx.x] += partial[threadIdx.x + s];
        __syncthreads();
    }
    const float scale = rsqrtf(partial[0] / width + eps);
    for (int64_t j = threadIdx.x; j < width; j += blockDim.x) {
        y[row * width + j] = x[row * width + j] * scale;
    }
}

torch::Tensor rms_rows(torch::Tensor x, double eps) {
    auto rows = x.contiguous().view({-1, x.size(-1)});
    auto y = torch::empty_like(rows);
    rms_rows_kernel<<<rows.size(0), 256>>>(rows.data_ptr<float>(), y.data_ptr<float>(), rows.size(1), (float)eps);
    return y.view(x.sizes());
}
"""

def compile_ops():
    return load_inline(name="rms_rows_ext", cpp_sources=_decl, cuda_sources=_cuda, functions=["rms_rows"])


def make_ops(lib):
    class KernelOps:
        @staticmethod
        def rms_rows(x, eps=1e-6):
            return lib.rms_rows(x, eps)
    return KernelOps


OPS = make_ops(compile_ops())


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=4):
        super().__init__()
        self.table = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList(nn.Linear(width, width, bias=False) for _ in range(depth))
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def forward(self, ids):
        h = OPS.rms_rows(self.table(ids))
        for layer in self.layers:
            h = h + torch.relu(layer(F.rms_norm(h, (h.size(-1),)))).square()
        return self.lm_head(F.rms_norm(h, (h.size(-1),)))
