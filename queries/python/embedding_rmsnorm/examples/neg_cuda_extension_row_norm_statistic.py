# example: the token embeddings go through a CUDA kernel compiled with load_inline that sums each row's squares and takes rsqrtf of their mean, but only writes that number to a statistics buffer and copies the row unchanged; nothing is normalized; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.cpp_extension import load_inline

_decl = "std::vector<torch::Tensor> row_stats(torch::Tensor x, double eps);"
_cuda = r"""
#include <torch/extension.h>
#include <vector>

__global__ void row_stats_kernel(const float* x, float* y, float* inv_rms, int64_t width, float eps) {
    const int64_t row = blockIdx.x;
    if (threadIdx.x == 0) {
        float acc = 0.f;
        for (int64_t j = 0; j < width; ++j) {
            const float v = x[row * width + j];
            acc += v * v;
        }
        inv_rms[row] = rsqrtf(acc / width + eps);
    }
    for (int64_t j = threadIdx.x; j < width; j += blockDim.x) {
        y[row * width + j] = x[row * width + j];
    }
}

std::vector<torch::Tensor> row_stats(torch::Tensor x, double eps) {
    auto rows = x.contiguous().view({-1, x.size(-1)});
    auto y = torch::empty_like(rows);
    auto stats = torch::empty({rows.size(0)}, rows.options());
    row_stats_kernel<<<rows.size(0), 128>>>(rows.data_ptr<float>(), y.data_ptr<float>(), stats.data_ptr<float>(), rows.size(1), (float)eps);
    return {y.view(x.sizes()), stats};
}
"""

_ext = load_inline(name="row_stats_ext", cpp_sources=_decl, cuda_sources=_cuda, functions=["row_stats"])


def watched(x, eps=1e-6):
    return _ext.row_stats(x, eps)[0]


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=4):
        super().__init__()
        self.table = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList(nn.Linear(width, width, bias=False) for _ in range(depth))
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def forward(self, ids):
        h = watched(self.table(ids))
        for layer in self.layers:
            h = h + torch.relu(layer(F.rms_norm(h, (h.size(-1),)))).square()
        return self.lm_head(F.rms_norm(h, (h.size(-1),)))
