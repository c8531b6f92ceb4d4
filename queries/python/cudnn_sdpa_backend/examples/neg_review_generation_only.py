# example: training runs SDPA with the default backend choice; sdpa_kernel(CUDNN_ATTENTION) wraps only the sampling function used after training; negative (the training attention is not forced onto cuDNN).
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel


class SelfAttention(nn.Module):
    def __init__(self, d=512, h=4):
        super().__init__()
        self.h = h
        self.qkv = nn.Linear(d, 3 * d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = (t.view(B, T, self.h, -1).transpose(1, 2) for t in self.qkv(x).split(C, dim=-1))
        return F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C)


@torch.no_grad()
def sample(model, x, steps=8):
    with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
        for _ in range(steps):
            x = torch.cat([x, model(x)[:, -1:]], dim=1)
    return x


model = SelfAttention().cuda()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(10):
    loss = model(torch.randn(4, 128, 512, device="cuda")).square().mean()
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
print(sample(model, torch.randn(1, 4, 512, device="cuda")).shape)
