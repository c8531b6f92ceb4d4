# example: near miss - sdpa_kernel lists CUDNN_ATTENTION together with FLASH_ATTENTION, so Flash can still be chosen; negative.
import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel


def attend(q, k, v):
    with sdpa_kernel([SDPBackend.CUDNN_ATTENTION, SDPBackend.FLASH_ATTENTION]):
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)


q = torch.randn(2, 6, 256, 128, device="cuda", dtype=torch.bfloat16)
print(attend(q, q, q).shape)
