# example: near miss - the same (3, d, d) parameter `s.w3` (instance called `s`), but q, k and v each come from
# their own F.linear over one slice (`s.w3[0]`, `s.w3[1]`, `s.w3[2]`): three products, not one; NOT present.
import torch
import torch.nn as nn
import torch.nn.functional as F


class At(nn.Module):
    def __init__(s, d, nh):
        super().__init__(); s.nh = nh; b = 3 ** .5 * .5 * d ** -.5
        s.w3 = nn.Parameter(torch.empty(3, d, d).uniform_(-b, b)); s.o = nn.Linear(d, d, bias=False)

    def forward(s, x):
        B, T = x.shape[:2]
        q, k, v = (F.linear(x, s.w3[i].type_as(x)).view(B, T, s.nh, -1) for i in range(3))
        y = F.scaled_dot_product_attention(*(t.transpose(1, 2) for t in (q, k, v)), is_causal=True)
        return s.o(y.transpose(1, 2).reshape(B, T, -1))
