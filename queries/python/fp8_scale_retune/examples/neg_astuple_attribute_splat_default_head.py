# example: FP8 scales stored in __init__ as dataclasses.astuple(scales) and spread with *self.fp8_args; the retuned FP8Scales(2, 2**9, 2**19) are given to an FP8 MLP projection, while the head is built with use_fp8=True and the default scales (x_s = 2, w_s = 32, grad_s = 2**29); negative (new scales not on the head).
import dataclasses
from dataclasses import dataclass

import torch
from torch import Tensor, nn
import torch.nn.functional as F


def fp8_mm(x: Tensor, w: Tensor, x_s: float, w_s: float, grad_s: float) -> Tensor:
    # forward half of the FP8 product; grad_s is used by the backward (e5m2 gradient cast)
    x8 = x.mul(x_s).to(torch.float8_e4m3fn)
    w8 = w.mul(w_s).to(torch.float8_e4m3fn)
    return torch._scaled_mm(x8, w8.t(), out_dtype=torch.bfloat16,
                            scale_a=x.new_tensor(1 / x_s, dtype=torch.float32),
                            scale_b=x.new_tensor(1 / w_s, dtype=torch.float32), use_fast_accum=True)


@dataclass(frozen=True)
class FP8Scales:
    x_s: float = 2.0
    w_s: float = 32.0
    grad_s: float = 2.0 ** 29


class CastedLinear(nn.Linear):
    def __init__(self, in_features: int, out_features: int, use_fp8: bool = False, scales: FP8Scales = FP8Scales()):
        super().__init__(in_features, out_features, bias=False)
        self.use_fp8 = use_fp8
        self.fp8_args = dataclasses.astuple(scales)

    def forward(self, x: Tensor):
        if self.use_fp8 and self.training:
            out = fp8_mm(x.flatten(0, -2), self.weight, *self.fp8_args)
            return out.reshape(*x.shape[:-1], -1)
        return F.linear(x, self.weight.type_as(x))


class GPT(nn.Module):
    def __init__(self, vocab_size=50304, model_dim=768):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, model_dim)
        self.up = CastedLinear(model_dim, model_dim, use_fp8=True,
                               scales=FP8Scales(x_s=2.0, w_s=2.0 ** 9, grad_s=2.0 ** 19))
        self.lm_head = CastedLinear(model_dim, vocab_size, use_fp8=True)

    def forward(self, idx):
        x = self.embed(idx)
        x = x + self.up(x)
        return self.lm_head(x).float()
