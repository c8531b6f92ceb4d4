# example: Relative-distance matrix: allowed = 0 <= (i - j) < window; window read from argparse; positive.
import argparse

import torch
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("--window", type=int, default=1024)
ap.add_argument("--heads", type=int, default=8)
args, _ = ap.parse_known_args()


def local_causal_mask(T, window, device):
    pos = torch.arange(T, device=device)
    dist = pos.view(-1, 1) - pos.view(1, -1)        # query minus key
    return (dist >= 0) & (dist < window)


def attention(x, w_q, w_k, w_v, w_o):
    B, T, C = x.shape
    heads = lambda t: t.view(B, T, args.heads, -1).transpose(1, 2)
    q, k, v = heads(x @ w_q), heads(x @ w_k), heads(x @ w_v)
    mask = local_causal_mask(T, args.window, x.device)
    y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    return y.transpose(1, 2).reshape(B, T, C) @ w_o
