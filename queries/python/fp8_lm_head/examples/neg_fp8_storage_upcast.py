# example: the lm_head weight is stored as float8_e4m3fn but upcast to bf16 before a normal F.linear; no _scaled_mm FP8 matmul runs, so NOT present (near miss for a dtype matcher).
import torch
from torch import nn
import torch.nn.functional as F


class CompressedHead(nn.Module):
    def __init__(self, dim=768, vocab=50304, scale=32.0):
        super().__init__()
        self.scale = scale
        w = torch.randn(vocab, dim) * dim ** -0.5
        self.register_buffer("w_fp8", (w * scale).to(torch.float8_e4m3fn))

    def forward(self, x):
        w = self.w_fp8.to(torch.bfloat16) / self.scale
        return F.linear(x.to(torch.bfloat16), w)


head = CompressedHead()
