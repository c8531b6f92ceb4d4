# example: the block function runs attention only when it is handed weights, but whether weights are handed is one
# model-wide switch (an MLP-only ablation of the whole network), not a choice per layer; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


def attend(x, w_in, w_out, heads):
    b, t, d = x.shape
    q, k, v = F.linear(x, w_in).view(b, t, 3, heads, -1).permute(2, 0, 3, 1, 4)
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return F.linear(y.transpose(1, 2).reshape(b, t, d), w_out)


def layer(x, attn_pair, w_up, w_down, heads):
    if attn_pair is not None:
        x = x + attend(F.rms_norm(x, (x.size(-1),)), *attn_pair, heads)
    h = F.linear(F.rms_norm(x, (x.size(-1),)), w_up)
    return x + F.linear(F.relu(h).square(), w_down)


class Stack(nn.Module):
    def __init__(self, depth=12, d=768, heads=6, mlp_only=False):
        super().__init__()
        self.heads = heads
        self.mlp_only = mlp_only
        self.w_in = nn.Parameter(torch.randn(depth, 3 * d, d) * d ** -0.5)
        self.w_out = nn.Parameter(torch.zeros(depth, d, d))
        self.w_up = nn.Parameter(torch.randn(depth, 4 * d, d) * d ** -0.5)
        self.w_down = nn.Parameter(torch.zeros(depth, d, 4 * d))

    def forward(self, x):
        for j in range(self.w_up.size(0)):
            pair = None if self.mlp_only else (self.w_in[j], self.w_out[j])
            x = layer(x, pair, self.w_up[j], self.w_down[j], self.heads)
        return x


out = Stack()(torch.randn(2, 16, 768))
