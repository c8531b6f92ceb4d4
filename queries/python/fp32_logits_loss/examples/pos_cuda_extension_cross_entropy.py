# example: the loss is a CUDA row-wise cross-entropy compiled with load_inline (a running max, __expf sums and logf per row); the model casts its logits to fp32 before handing them to it; positive.
import torch
import torch.nn as nn
from torch.utils.cpp_extension import load_inline

_decl = "torch::Tensor row_nll(torch::Tensor logits, torch::Tensor labels);"
_cuda = r"""
#include <torch/extension.h>

__global__ void row_nll_kernel(const float* logits, const int64_t* labels, float* out, int64_t width) {
    const int64_t row = blockIdx.x;
    const float* z = logits + row * width;
    float top = -INFINITY;
    for (int64_t j = 0; j < width; ++j) top = fmaxf(top, z[j]);
    float total = 0.f;
    for (int64_t j = 0; j < width; ++j) total += __expf(z[j] - top);
    out[row] = top + logf(total) - z[labels[row]];
}

torch::Tensor row_nll(torch::Tensor logits, torch::Tensor labels) {
    auto out = torch::empty({logits.size(0)}, logits.options());
    row_nll_kernel<<<logits.size(0), 1>>>(logits.data_ptr<float>(), labels.data_ptr<int64_t>(), out.data_ptr<float>(), logits.size(1));
    return out;
}
"""

_ext = load_inline(name="row_nll_ext", cpp_sources=_decl, cuda_sources=_cuda, functions=["row_nll"])


def token_loss(logits, labels):
    return _ext.row_nll(logits.reshape(-1, logits.size(-1)).contiguous(), labels.reshape(-1)).mean()


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
        logits = self.lm_head(h).float()
        return token_loss(logits, labels)
