# example: near miss - 128 appears as the rotary dimension and the block size, but the model has 12 heads at width 768 (head dim 64); negative.
import torch.nn as nn
import torch.nn.functional as F

ROTARY_DIM = 128
BLOCK = 128


class Attention(nn.Module):
    def __init__(self, width=768, n_head=12):
        super().__init__()
        self.n_head = n_head
        self.rot = ROTARY_DIM
        self.c_attn = nn.Linear(width, 3 * width, bias=False)
        self.c_proj = nn.Linear(width, width, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).view(B, T, 3, self.n_head, C // self.n_head).unbind(2)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))


attn = Attention()
