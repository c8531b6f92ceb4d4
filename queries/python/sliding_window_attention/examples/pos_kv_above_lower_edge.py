# example: the window is written as kv_idx > q_idx - window with the width from argparse, combined with causality in a nested mask function; sliding-window attention in another form.
import argparse

import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

parser = argparse.ArgumentParser()
parser.add_argument("--local_span", type=int, default=2048)
opts, _ = parser.parse_known_args()


def local_mask(seq_len):
    span = opts.local_span

    def inside(b, h, q_idx, kv_idx):
        recent = kv_idx > q_idx - span
        return recent & (q_idx >= kv_idx)

    return create_block_mask(inside, None, None, seq_len, seq_len, device="cuda")


def attend(q, k, v):
    return flex_attention(q, k, v, block_mask=local_mask(q.shape[-2]))
