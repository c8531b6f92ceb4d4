# example: near miss - a stacked (3, d, d) parameter registered over several lines under a name joined from a class-field tuple ("w_qkv") and fetched with getattr, but each slice is applied in its own F.linear, so q, k and v still come from three products; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    STREAMS = ("q", "k", "v")

    def __init__(self, width, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.width = width
        bound = (3 ** 0.5) * 0.5 * width ** -0.5
        self.register_parameter(
            "w_" + "".join(self.STREAMS),
            nn.Parameter(torch.empty(len(self.STREAMS), width, width).uniform_(-bound, bound)),
        )
        self.proj = nn.Linear(width, width, bias=False)

    def forward(self, x):
        b, t, _ = x.shape
        stacked = getattr(self, "w_" + "".join(self.STREAMS))
        q, k, v = (F.linear(x, stacked[i].type_as(x)).view(b, t, self.n_heads, -1) for i in range(3))
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(b, t, self.width))
