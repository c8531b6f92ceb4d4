# example: near miss - torch.backends.cudnn.benchmark / allow_tf32 are set (cuDNN library flags) and sdpa_kernel pins FLASH_ATTENTION; negative (the SDPA backend is Flash, not cuDNN).
import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

torch.backends.cudnn.benchmark = True
torch.backends.cudnn.allow_tf32 = True
torch.backends.cuda.matmul.allow_tf32 = True


def causal_attention(q, k, v):
    with sdpa_kernel([SDPBackend.FLASH_ATTENTION]):
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)


q = torch.randn(2, 6, 256, 128, device="cuda", dtype=torch.bfloat16)
out = causal_attention(q, q, q)
print(out.dtype)
