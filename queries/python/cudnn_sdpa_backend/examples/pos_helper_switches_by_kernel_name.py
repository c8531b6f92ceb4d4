# example: a helper switches every SDPA backend by comparing the kernel name it is given (`enable_cudnn_sdp(kind == "cudnn")`, `enable_flash_sdp(kind == "flash")`), and the one call passes the configured "cudnn"; positive.
import torch
import torch.backends.cuda as tbc
import torch.nn.functional as F

CFG = dict(sdpa_kernel="cudnn")


def pick_sdpa_kernel(kind):
    tbc.enable_cudnn_sdp(kind == "cudnn")
    tbc.enable_flash_sdp(kind == "flash")
    tbc.enable_mem_efficient_sdp(kind == "mem_efficient")
    tbc.enable_math_sdp(kind == "math")


pick_sdpa_kernel(CFG["sdpa_kernel"])


def attend(q, k, v):
    return F.scaled_dot_product_attention(q, k, v, is_causal=True)
