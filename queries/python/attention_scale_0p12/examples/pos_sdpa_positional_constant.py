# example: F.scaled_dot_product_attention receives the scale as its seventh positional argument, a module constant QK_SCALE = 0.12; same fixed scale, positional spelling.
import torch
import torch.nn.functional as F

QK_SCALE = 0.12


def attend(q, k, v):
    q, k = F.rms_norm(q, (q.size(-1),)), F.rms_norm(k, (k.size(-1),))
    return F.scaled_dot_product_attention(q, k, v, None, 0.0, True, QK_SCALE)
