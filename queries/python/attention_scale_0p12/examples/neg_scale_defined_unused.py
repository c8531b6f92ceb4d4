# example: attn_scale = 0.12 is stored on the module but the call passes scale=head_dim ** -0.5; the 0.12 never reaches attention, so NOT present (near miss).
import torch
from torch import nn
from torch.nn.attention.flex_attention import flex_attention


class CausalSelfAttention(nn.Module):
    def __init__(self, dim, num_heads, head_dim=128):
        super().__init__()
        self.num_heads, self.head_dim = num_heads, head_dim
        self.qkv = nn.Linear(dim, 3 * num_heads * head_dim, bias=False)
        self.c_proj = nn.Linear(num_heads * head_dim, dim, bias=False)
        self.attn_scale = 0.12  # to try next

    def forward(self, x, block_mask):
        B, T, _ = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        y = flex_attention(q, k, v, block_mask=block_mask, scale=self.head_dim ** -0.5)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, -1))
