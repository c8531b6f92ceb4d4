# example: FP8 scales live in a dataclass with w_scale = float(1 << 9) and grad_scale = 2.0 ** 19 and are splatted into the head's FP8 call; a third spelling of the retuned scales.
from dataclasses import asdict, dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class FP8Scales:
    x_s: float = 2.0
    w_s: float = float(1 << 9)
    grad_s: float = 2.0 ** 19


def scaled_mm_fp8(x, w, x_s, w_s, grad_s):
    xq = (x * x_s).to(torch.float8_e4m3fn)
    wq = (w * w_s).to(torch.float8_e4m3fn)
    one = torch.ones((), device=x.device, dtype=torch.float32)
    return torch._scaled_mm(xq, wq.t(), scale_a=one / x_s, scale_b=one / w_s, out_dtype=torch.bfloat16)


class Head(nn.Module):
    def __init__(self, dim=768, vocab=50304, scales=FP8Scales()):
        super().__init__()
        self.lm_head = nn.Linear(dim, vocab, bias=False)
        self.scales = scales

    def forward(self, x):
        if not self.training:
            return self.lm_head(x)
        flat = scaled_mm_fp8(x.flatten(0, -2), self.lm_head.weight, **asdict(self.scales))
        return flat.view(*x.shape[:-1], -1)
