# gap: Post-hoc removal from argparse: after building a uniform stack, the listed blocks have their attention deleted, and Block.forward checks hasattr(self, "attn"); positive.
import argparse

import torch
from torch import nn
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("--attn_free_layers", type=int, nargs="*", default=[7])
args, _ = ap.parse_known_args()


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.attn = nn.MultiheadAttention(dim, heads, bias=False, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim, bias=False), nn.GELU(), nn.Linear(4 * dim, dim, bias=False))
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, x0, mask):
        x = self.lambdas[0] * x + self.lambdas[1] * x0
        if hasattr(self, "attn"):
            h = F.rms_norm(x, (x.size(-1),))
            x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))


def build_blocks(n_layer=12, dim=768, heads=6):
    blocks = nn.ModuleList(Block(dim, heads) for _ in range(n_layer))
    for i in args.attn_free_layers:
        del blocks[i].attn
    return blocks
