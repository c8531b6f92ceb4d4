# example: near miss - the same FP8-capable linear class, but the head's flag comes from
# `os.environ.get("ENABLE_FP8", False)`: off unless the variable is set, so the scored run multiplies in bf16; negative.
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


@torch.library.custom_op("toy::f8mm", mutates_args=())
def f8mm(x: Tensor, w: Tensor, sx: float, sw: float, sg: float) -> Tensor:
    xf = x.mul(sx).to(torch.float8_e4m3fn)
    wf = w.mul(sw).to(torch.float8_e4m3fn)
    one = lambda s: torch.tensor(1.0 / s, dtype=torch.float32, device=x.device)
    return torch._scaled_mm(xf, wf.t(), out_dtype=torch.bfloat16, scale_a=one(sx), scale_b=one(sw), use_fast_accum=True)


class Fp8CapableLinear(nn.Linear):
    def __init__(self, fan_in, fan_out, use_fp8=False, sx=2.0, sw=32.0, sg=2.0 ** 29):
        super().__init__(fan_in, fan_out, bias=False)
        self.use_fp8, self.scales = use_fp8, (sx, sw, sg)

    def forward(self, x):
        if self.use_fp8 and self.training:
            flat = x.flatten(0, -2)
            return torch.ops.toy.f8mm(flat, self.weight, *self.scales).view(*x.shape[:-1], -1)
        return F.linear(x, self.weight.type_as(x))


class Net(nn.Module):
    def __init__(self, vocab=50304, d=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.mid = Fp8CapableLinear(d, d)
        use_fp8 = os.environ.get("ENABLE_FP8", False)
        self.unembed = Fp8CapableLinear(d, vocab, use_fp8=use_fp8)

    def forward(self, idx, tgt):
        h = F.rms_norm(self.mid(self.embed(idx)), (768,))
        logits = self.unembed(h).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1))
