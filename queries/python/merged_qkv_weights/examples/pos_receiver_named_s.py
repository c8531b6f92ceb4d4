# example: terse style; the attention's methods call their instance `s`; one (3, d, d) parameter `s.w3` is applied
# whole in a single F.linear (`s.w3.flatten(end_dim=1)`) and the result chunked into q, k, v; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class At(nn.Module):
    def __init__(s, d, nh):
        super().__init__(); s.nh = nh; b = 3 ** .5 * .5 * d ** -.5
        s.w3 = nn.Parameter(torch.empty(3, d, d).uniform_(-b, b)); s.o = nn.Linear(d, d, bias=False)

    def forward(s, x):
        B, T = x.shape[:2]
        q, k, v = F.linear(x, s.w3.flatten(end_dim=1).type_as(x)).view(B, T, 3 * s.nh, -1).chunk(3, dim=-2)
        y = F.scaled_dot_product_attention(*(t.transpose(1, 2) for t in (q, k, v)), is_causal=True)
        return s.o(y.transpose(1, 2).reshape(B, T, -1))
