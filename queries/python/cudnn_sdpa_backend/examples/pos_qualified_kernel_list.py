# example: fully qualified torch.nn.attention.sdpa_kernel(backends=[torch.nn.attention.SDPBackend.CUDNN_ATTENTION]) around the training forward; positive (keyword list spelling).
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.attention


class Attn(nn.Module):
    def __init__(self, d=768, h=6):
        super().__init__()
        self.h = h
        self.qkv = nn.Linear(d, 3 * d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.h, -1).permute(2, 0, 3, 1, 4)
        return F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C)


model = Attn().cuda().bfloat16()
x = torch.randn(2, 256, 768, device="cuda", dtype=torch.bfloat16)
with torch.nn.attention.sdpa_kernel(backends=[torch.nn.attention.SDPBackend.CUDNN_ATTENTION]):
    loss = model(x).float().square().mean()
loss.backward()
