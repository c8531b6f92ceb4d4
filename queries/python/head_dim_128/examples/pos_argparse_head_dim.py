# example: argparse gives --model_dim 768 and --head_dim 128, and the number of heads is derived as model_dim // head_dim; positive (head dim set directly).
import argparse
import torch
import torch.nn as nn
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("--model_dim", type=int, default=768)
ap.add_argument("--head_dim", type=int, default=128)
ap.add_argument("--layers", type=int, default=12)
args = ap.parse_args()
num_heads = args.model_dim // args.head_dim


class Attention(nn.Module):
    def __init__(self, dim, heads, hd):
        super().__init__()
        self.heads, self.hd = heads, hd
        self.qkv = nn.Linear(dim, 3 * heads * hd, bias=False)
        self.o = nn.Linear(heads * hd, dim, bias=False)

    def forward(self, x):
        B, T, _ = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, self.hd).permute(2, 0, 3, 1, 4)
        return self.o(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, -1))


blocks = nn.ModuleList(Attention(args.model_dim, num_heads, args.head_dim) for _ in range(args.layers))
print(blocks[0](torch.randn(1, 8, args.model_dim)).shape)
