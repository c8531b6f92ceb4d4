# example: argparse --model-dim 768 and --head-dim 128; the number of heads is derived (768 // 128 = 6) and heads are split with einops.rearrange(..., d=head_dim); positive.
import argparse

import torch
import torch.nn.functional as F
from einops import rearrange

parser = argparse.ArgumentParser()
parser.add_argument("--model-dim", type=int, default=768)
parser.add_argument("--head-dim", type=int, default=128)
args = parser.parse_args()
n_heads = args.model_dim // args.head_dim


def attention(w_qkv, w_out, x):
    q, k, v = (x @ w_qkv).chunk(3, dim=-1)
    q, k, v = (rearrange(t, "b t (h d) -> b h t d", d=args.head_dim) for t in (q, k, v))
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return rearrange(y, "b h t d -> b t (h d)") @ w_out


w_qkv = torch.randn(args.model_dim, 3 * args.model_dim) * 0.02
w_out = torch.zeros(args.model_dim, args.model_dim)
out = attention(w_qkv, w_out, torch.randn(2, 16, args.model_dim))
