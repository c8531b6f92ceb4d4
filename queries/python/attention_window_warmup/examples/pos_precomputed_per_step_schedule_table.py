# example: Precomputed per-step schedule table (torch.linspace rounded to 128-multiples), indexed by step in the loop; the window is passed to the model, whose mask_mod uses it; positive.
import argparse

import torch
from torch.nn.attention.flex_attention import create_block_mask

p = argparse.ArgumentParser()
p.add_argument("--steps", type=int, default=1750)
p.add_argument("--window_start", type=int, default=128)
p.add_argument("--window_end", type=int, default=1792)
args, _ = p.parse_known_args()

window_table = (torch.linspace(args.window_start, args.window_end, args.steps + 1) / 128).round().int() * 128


def sliding_doc_mask(idx, window):
    docs = (idx == 50256).cumsum(0)

    def rule(b, h, q, kv):
        return (q >= kv) & (docs[q] == docs[kv]) & (q - kv < window)

    n = idx.numel()
    return create_block_mask(rule, None, None, n, n, device=idx.device)


def train(model, batches, opt):
    for step in range(args.steps + 1):
        inputs, targets = next(batches)
        window = int(window_table[step])
        loss = model(inputs, targets, sliding_doc_mask(inputs, window))
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
