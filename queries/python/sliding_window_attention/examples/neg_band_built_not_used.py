# example: a banded mask is built next to the causal one, but SDPA receives only the causal tril mask; every earlier token stays visible, so NOT sliding-window attention.
import torch
import torch.nn.functional as F

WINDOW = 256


def masks(T, device):
    ones = torch.ones(T, T, dtype=torch.bool, device=device)
    causal = torch.tril(ones)
    banded = causal & ~torch.tril(ones, diagonal=-WINDOW)  # kept for an ablation
    return causal, banded


def attention(q, k, v):
    causal, _ = masks(q.size(-2), q.device)
    return F.scaled_dot_product_attention(q, k, v, attn_mask=causal)
