# example: the same CUDA row kernel, but it only multiplies each row by a fixed scale passed from Python (no sum of squares, no root), so the embeddings are rescaled, not normalized; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.cpp_extension import load_inline

_decl = "torch::Tensor rms_rows(torch::Tensor x, double eps);"
_cuda = r"""
#include <torch/extension.h>

__global__ void rms_rows_kernel(const float* x, float* y, int64_t width, float scale) {
    const int64_t row = blockIdx.x;
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

_ext = load_inline(name="rms_rows_ext", cpp_sources=_decl, cuda_sources=_cuda, functions=["rms_rows"])


def rms_rows(x, eps=0.5):
    return _ext.rms_rows(x, eps)


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=4):
        super().__init__()
        self.table = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList(nn.Linear(width, width, bias=False) for _ in range(depth))
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def forward(self, ids):
        h = rms_rows(self.table(ids))
        for layer in self.layers:
            h = h + torch.relu(layer(F.rms_norm(h, (h.size(-1),)))).square()
        return self.lm_head(F.rms_norm(h, (h.size(-1),)))
