# example: frequencies 1024 ** -linspace over a quarter of the head dim are right-padded with zeros by F.pad, so half the rotary pairs never rotate; other expression, same truncation.
import torch
import torch.nn.functional as F


def rope_tables(head_dim: int, max_len: int, device=None):
    quarter = head_dim // 4
    active = 1024.0 ** -torch.linspace(0.0, 1.0, quarter, device=device)
    freqs = F.pad(active, (0, head_dim // 2 - quarter))  # trailing slots get frequency 0
    angles = torch.arange(max_len, device=device, dtype=torch.float32)[:, None] * freqs[None, :]
    return angles.cos(), angles.sin()


def apply_rope(x, cos, sin):
    t = x.shape[1]
    c, s = cos[:t][None, :, None, :], sin[:t][None, :, None, :]
    a, b = x.float().chunk(2, dim=-1)
    return torch.cat((a * c + b * s, b * c - a * s), dim=-1).to(x.dtype)


if __name__ == "__main__":
    cos, sin = rope_tables(128, 4096)
    q = torch.randn(1, 4096, 6, 128)
    print(apply_rope(q, cos, sin).shape)
