# example: the loss is a CUDA kernel compiled with load_inline that keeps an online log-sum-exp per row (s = s * __expf(m - m2) + __expf(v - m2), then a shared-memory reduction and m + logf(s)); the caller widens the logits with .to(torch.float32) first; positive.
import torch
import torch.nn as nn
from torch.utils.cpp_extension import load_inline

_decl = "torch::Tensor online_xent(torch::Tensor z, torch::Tensor y);"
_cuda = r"""
#include <torch/extension.h>

__global__ void online_xent_kernel(const float* z, const int64_t* y, float* loss, int64_t vocab) {
    __shared__ float row_max[128];
    __shared__ float row_sum[128];
    const float* r = z + blockIdx.x * vocab;
    float m = -1e30f;
    float s = 0.f;
    for (int64_t j = threadIdx.x; j < vocab; j += blockDim.x) {
        const float v = r[j];
        const float m2 = fmaxf(m, v);
        s = s * __expf(m - m2) + __expf(v - m2);
        m = m2;
    }
    row_max[threadIdx.x] = m;
    row_sum[threadIdx.x] = s;
    __syncthreads();
    if (threadIdx.x == 0) {
        float mm = row_max[0];
        float ss = row_sum[0];
        for (int k = 1; k < blockDim.x; ++k) {
            const float m2 = fmaxf(mm, row_max[k]);
            ss = ss * __expf(mm - m2) + row_sum[k] * __expf(row_max[k] - m2);
            mm = m2;
        }
        loss[blockIdx.x] = mm + logf(ss) - r[y[blockIdx.x]];
    }
}

torch::Tensor online_xent(torch::Tensor z, torch::Tensor y) {
    auto loss = torch::empty({z.size(0)}, z.options());
    online_xent_kernel<<<z.size(0), 128>>>(z.data_ptr<float>(), y.data_ptr<int64_t>(), loss.data_ptr<float>(), z.size(1));
    return loss;
}
"""

xent = load_inline(name="online_xent_ext", cpp_sources=_decl, cuda_sources=_cuda, functions=["online_xent"])


class Decoder(nn.Module):
    def __init__(self, n_vocab=50304, d=768, n_layers=4):
        super().__init__()
        self.tok = nn.Embedding(n_vocab, d)
        self.mix = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(n_layers))
        self.out = nn.Linear(d, n_vocab, bias=False)

    def forward(self, ids, targets):
        x = self.tok(ids)
        for m in self.mix:
            x = x + torch.relu(m(x)).square()
        z = self.out(x).to(torch.float32)
        return xent.online_xent(z.flatten(0, 1).contiguous(), targets.flatten()).mean()
