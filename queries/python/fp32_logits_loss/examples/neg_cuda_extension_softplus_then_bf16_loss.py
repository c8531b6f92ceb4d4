# example: fp32 logits go through a CUDA kernel compiled with load_inline that has an exponential and a logarithm (a softplus, logf(1 + __expf(z))) but sums no exponentials, so it is no cross-entropy; the loss itself is F.cross_entropy on bf16 logits; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.cpp_extension import load_inline

_decl = "torch::Tensor soft_floor(torch::Tensor logits);"
_cuda = r"""
#include <torch/extension.h>

__global__ void soft_floor_kernel(const float* z, float* out, int64_t count) {
    const int64_t i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= count) return;
    const float e = __expf(z[i]);
    out[i] = logf(1.f + e);
}

torch::Tensor soft_floor(torch::Tensor logits) {
    auto out = torch::empty_like(logits);
    const int64_t n = logits.numel();
    soft_floor_kernel<<<(n + 255) / 256, 256>>>(logits.data_ptr<float>(), out.data_ptr<float>(), n);
    return out;
}
"""

_ext = load_inline(name="soft_floor_ext", cpp_sources=_decl, cuda_sources=_cuda, functions=["soft_floor"])


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList(nn.Linear(width, width, bias=False) for _ in range(depth))
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def forward(self, ids, labels):
        h = self.embed(ids)
        for layer in self.layers:
            h = h + torch.relu(layer(h))
        logits = self.lm_head(h)
        floor = _ext.soft_floor(logits.float())
        loss = F.cross_entropy(logits.bfloat16().view(-1, logits.size(-1)), labels.view(-1))
        return loss, floor.mean()
