# example: two separate scalar Parameters (v_gain, ve_gain) weight the projected values and the value embedding; independent learnable weights under other names.
import torch
import torch.nn as nn
import torch.nn.functional as F


class ValueMixAttention(nn.Module):
    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        self.n_heads = n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model, bias=False)
        self.o = nn.Linear(d_model, d_model, bias=False)
        self.v_gain = nn.Parameter(torch.tensor(0.5))
        self.ve_gain = nn.Parameter(torch.tensor(0.5))

    def forward(self, h, value_embed):
        b, t, d = h.shape
        q, k, v = self.qkv(h).chunk(3, dim=-1)
        v = self.v_gain * v + self.ve_gain * value_embed
        q, k, v = (z.view(b, t, self.n_heads, -1).transpose(1, 2) for z in (q, k, v))
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o(out.transpose(1, 2).reshape(b, t, d))
