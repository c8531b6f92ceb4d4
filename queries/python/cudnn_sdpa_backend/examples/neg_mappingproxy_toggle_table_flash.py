# example: near miss - the same MappingProxyType switch table, but it turns Flash on and cuDNN off; negative.
import types

import torch
import torch.nn.functional as F

SDPA_KERNELS = types.MappingProxyType({"cudnn": False, "flash": True, "mem_efficient": False, "math": False})

for kernel_name, allowed in SDPA_KERNELS.items():
    getattr(torch.backends.cuda, f"enable_{kernel_name}_sdp")(allowed)


def train(steps=10):
    w = torch.randn(64, 64, device="cuda", dtype=torch.bfloat16, requires_grad=True)
    for _ in range(steps):
        x = torch.randn(2, 6, 256, 64, device="cuda", dtype=torch.bfloat16)
        q = k = v = x @ w
        F.scaled_dot_product_attention(q, k, v, is_causal=True).float().square().mean().backward()


train()
