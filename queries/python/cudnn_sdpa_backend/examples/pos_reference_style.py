# example: imports the four backend switches from torch.backends.cuda, turns flash, math and mem-efficient off and cuDNN on before training; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.backends.cuda import enable_cudnn_sdp, enable_flash_sdp, enable_math_sdp, enable_mem_efficient_sdp


class Attention(nn.Module):
    def __init__(self, d=768, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.proj = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        return self.proj(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C))


model = Attention().cuda().bfloat16()
# cuDNN attention beats Flash here, but SDPA will not choose it unless the others are off
enable_flash_sdp(False)
enable_math_sdp(False)
enable_mem_efficient_sdp(False)
enable_cudnn_sdp(enabled=True)

out = model(torch.randn(2, 128, 768, device="cuda", dtype=torch.bfloat16))
out.float().sum().backward()
