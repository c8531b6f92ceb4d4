# example: training script keeps the allowed SDPA backends in a module-level list [SDPBackend.CUDNN_ATTENTION] and wraps the training forward/backward in `with sdpa_kernel(backends=ATTN_BACKENDS)`; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

ATTN_BACKENDS = [SDPBackend.CUDNN_ATTENTION]


class SelfAttention(nn.Module):
    def __init__(self, d=512, h=4):
        super().__init__()
        self.h = h
        self.qkv = nn.Linear(d, 3 * d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = (t.view(B, T, self.h, -1).transpose(1, 2) for t in self.qkv(x).split(C, dim=-1))
        return F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C)


model = SelfAttention().cuda()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(10):
    x = torch.randn(4, 128, 512, device="cuda")
    with sdpa_kernel(backends=ATTN_BACKENDS):
        loss = model(x).square().mean()
        loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
