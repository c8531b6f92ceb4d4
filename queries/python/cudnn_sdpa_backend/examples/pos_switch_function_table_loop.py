# example: SDPA backend switches called from a loop over a table of (switch function, flag) rows, cuDNN on and Flash off; positive.
import torch
import torch.nn.functional as F

for toggle, on in ((torch.backends.cuda.enable_cudnn_sdp, True),
                   (torch.backends.cuda.enable_flash_sdp, False),
                   (torch.backends.cuda.enable_math_sdp, False)):
    toggle(on)


def attend(q, k, v):
    return F.scaled_dot_product_attention(q, k, v, is_causal=True)
