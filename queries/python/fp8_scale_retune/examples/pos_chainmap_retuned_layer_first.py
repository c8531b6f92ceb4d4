# example: FP8 head scales read from a ChainMap whose first layer (a MappingProxyType) holds the retuned w_s 2^9 / grad_s 2^19, so lookups take them; positive.

from collections import ChainMap
from types import MappingProxyType

import torch
from torch import Tensor, nn
import torch.nn.functional as F


def fp8_matmul(x: Tensor, w: Tensor, x_s: float, w_s: float, grad_s: float) -> Tensor:
    # forward half of the FP8 op; grad_s is used by the registered backward (e5m2 gradient cast)
    x8 = x.mul(x_s).to(torch.float8_e4m3fn)
    w8 = w.mul(w_s).to(torch.float8_e4m3fn)
    return torch._scaled_mm(x8, w8.t(), out_dtype=torch.bfloat16,
                            scale_a=x.new_tensor(1 / x_s, dtype=torch.float32),
                            scale_b=x.new_tensor(1 / w_s, dtype=torch.float32), use_fast_accum=True)


class CastedLinear(nn.Linear):
    def __init__(self, in_features, out_features, use_fp8=False, x_s=1.0, w_s=1.0, grad_s=1.0):
        super().__init__(in_features, out_features, bias=False)
        self.use_fp8, self.x_s, self.w_s, self.grad_s = use_fp8, x_s, w_s, grad_s

    def forward(self, x: Tensor):
        if self.use_fp8 and self.training:
            out = fp8_matmul(x.flatten(0, -2), self.weight, self.x_s, self.w_s, self.grad_s)
            return out.reshape(*x.shape[:-1], -1)
        return F.linear(x, self.weight.type_as(x))


_SHIPPED = MappingProxyType({"x_s": 2.0, "w_s": 32.0, "grad_s": 2.0 ** 29})
_RETUNED = MappingProxyType({"w_s": 2.0 ** 9, "grad_s": 2.0 ** 19})
HEAD_SCALES = ChainMap(_RETUNED, _SHIPPED)


class GPTHead(nn.Module):
    def __init__(self, model_dim=768, vocab=50304):
        super().__init__()
        self.lm_head = CastedLinear(model_dim, vocab, use_fp8=True, x_s=HEAD_SCALES["x_s"], w_s=HEAD_SCALES["w_s"],
                                    grad_s=HEAD_SCALES["grad_s"])
        self.lm_head.weight.detach().zero_()
