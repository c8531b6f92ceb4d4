# example: partial rotary by tensor_split at a quarter of the head (rotary_dim = head_dim // 4); the rest passes through, but a quarter is not the one-half truncation, so NOT this id.
import torch


def rope_tables(rotary_dim, length, base=10000.0):
    inv = base ** (-torch.arange(0, rotary_dim, 2).float() / rotary_dim)
    ang = torch.arange(length).float()[:, None] * inv
    return ang.cos(), ang.sin()


def apply_partial(x, cos, sin, head_dim):
    rotary_dim = head_dim // 4
    head, tail = torch.tensor_split(x, (rotary_dim,), dim=-1)
    u, v = head.chunk(2, dim=-1)
    out = torch.cat((u * cos + v * sin, v * cos - u * sin), dim=-1)
    return torch.cat((out, tail), dim=-1)
