# example: near miss - enable_cudnn_sdp(True) is called but flash (and mem-efficient) stay enabled, so SDPA still picks Flash; negative.
import torch
import torch.nn.functional as F
from torch.backends.cuda import enable_cudnn_sdp, enable_math_sdp

enable_cudnn_sdp(True)
enable_math_sdp(False)


def attention(q, k, v):
    return F.scaled_dot_product_attention(q, k, v, is_causal=True)


x = torch.randn(2, 6, 128, 128, device="cuda", dtype=torch.bfloat16)
y = attention(x, x, x)
print(y.shape)
