# example: the model precomputes the 1/sqrt(2*n_layer) attention scale per layer in a list (`[s] * n_layer`) and hands each block its entry, which multiplies the attention branch; negative (a fixed scale, only tabulated).
import torch.nn as nn
import torch.nn.functional as F


class SelfAttention(nn.Module):
    def __init__(self, d, n_head):
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.proj = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.n_head, C // self.n_head).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


class Block(nn.Module):
    def __init__(self, d, n_head, branch_scale):
        super().__init__()
        self.attn = SelfAttention(d, n_head)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d, bias=False), nn.GELU(), nn.Linear(4 * d, d, bias=False))
        self.branch_scale = branch_scale

    def forward(self, x):
        x = x + self.branch_scale * self.attn(F.rms_norm(x, (x.size(-1),)))
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))


class GPT(nn.Module):
    def __init__(self, d=768, n_head=12, n_layer=12):
        super().__init__()
        scales = [(2 * n_layer) ** -0.5] * n_layer
        self.blocks = nn.ModuleList([Block(d, n_head, scales[layer]) for layer in range(n_layer)])

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return x
