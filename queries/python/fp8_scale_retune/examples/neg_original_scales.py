# example: the FP8 lm_head still uses x_s=2.0, w_s=32.0, grad_s=2.0**29 (the first FP8 record's scales); NOT retuned.
import torch
from torch import Tensor


def fp8_head(x: Tensor, w: Tensor, x_s: float, w_s: float, grad_s: float) -> Tensor:
    x8 = x.mul(x_s).to(torch.float8_e4m3fn)
    w8 = w.mul(w_s).to(torch.float8_e4m3fn)
    return torch._scaled_mm(x8, w8.t(), out_dtype=torch.bfloat16,
                            scale_a=x.new_tensor(1 / x_s, dtype=torch.float32),
                            scale_b=x.new_tensor(1 / w_s, dtype=torch.float32))


def lm_head_fp8(x: Tensor, w: Tensor) -> Tensor:
    out = fp8_head(x.flatten(0, -2), w, x_s=2.0, w_s=32.0, grad_s=2.0**29)
    return out.reshape(*x.shape[:-1], -1)
