# example: a helper builds one block mask per window divisor in a loop (divisors 1 and 2), returns the list, and the model unpacks it into a wide and a narrow mask it hands to layers by a layout string; positive.
import torch
import torch.nn as nn
from torch.nn.attention.flex_attention import BlockMask, flex_attention

def kv_lists(visible):
    counts = visible.sum(-1, dtype=torch.int32)
    order = visible.to(torch.int32).argsort(-1, descending=True, stable=True).to(torch.int32)
    return counts[None, None], order[None, None]

def banded_masks(n_blocks, window_blocks, divisors=(1, 2)):
    qb = torch.arange(n_blocks)[:, None]
    kb = torch.arange(n_blocks)[None, :]
    masks = []
    for d in divisors:
        span = window_blocks // d
        counts, order = kv_lists((kb <= qb) & (qb - kb < span))
        masks.append(BlockMask.from_kv_blocks(counts, order, BLOCK_SIZE=128, mask_mod=lambda b, h, q, k: q >= k))
    return masks

LAYOUT = "WNNNWN" + "NWNNNW"

class Net(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.layers = layers

    def forward(self, x, n_blocks, window_blocks):
        wide, narrow = banded_masks(n_blocks, window_blocks, divisors=(1, 2))
        for layer, kind in zip(self.layers, LAYOUT):
            x = layer(x, wide if kind == "W" else narrow)
        return x
