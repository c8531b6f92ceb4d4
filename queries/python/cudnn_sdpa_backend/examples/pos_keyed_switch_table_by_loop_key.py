# example: backend switches kept in a dict keyed by backend name and called by the key of the loop over a settings mapping (`switches[kind](flag)`); positive.
import torch
import torch.nn.functional as F

BACKENDS = {"cudnn": True, "flash": False, "mem_efficient": False, "math": False}


def pick_attention_kernels(wanted):
    switches = {
        "cudnn": torch.backends.cuda.enable_cudnn_sdp,
        "flash": torch.backends.cuda.enable_flash_sdp,
        "mem_efficient": torch.backends.cuda.enable_mem_efficient_sdp,
        "math": torch.backends.cuda.enable_math_sdp,
    }
    for kind, flag in wanted.items():
        switches[kind](flag)


def attend(q, k, v):
    return F.scaled_dot_product_attention(q, k, v, is_causal=True)


pick_attention_kernels(BACKENDS)
