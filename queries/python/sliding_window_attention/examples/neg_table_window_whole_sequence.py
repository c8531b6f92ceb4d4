# example: near miss - the mask terms come from a table of predicate factories selected by a configured list, and the window term bounds q_idx - kv_idx by env["window"], but that entry is the training sequence length (65536), so no key inside a batch is ever cut off; negative.
import argparse

import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

parser = argparse.ArgumentParser()
parser.add_argument("--seq-len", type=int, default=65536)
parser.add_argument("--window-tokens", type=int, default=65536)
parser.add_argument("--heads", type=int, default=6)
args = parser.parse_args()

CFG = {"mask_terms": ["causal", "window"]}

TERMS = {
    "causal": lambda env: (lambda b, h, q_idx, kv_idx: q_idx >= kv_idx),
    "window": lambda env: (lambda b, h, q_idx, kv_idx: q_idx - kv_idx < env["window"]),
}


def build_mask(S):
    env = {"window": args.window_tokens}
    preds = [TERMS[name](env) for name in CFG["mask_terms"]]

    def mask_mod(b, h, q_idx, kv_idx):
        keep = preds[0](b, h, q_idx, kv_idx)
        for p in preds[1:]:
            keep = keep & p(b, h, q_idx, kv_idx)
        return keep

    return create_block_mask(mask_mod, None, None, S, S)


def next_batch(stream, pos):
    chunk = stream[pos: pos + args.seq_len + 1].cuda().long()
    return chunk[:-1][None], chunk[1:][None]


if __name__ == "__main__":
    stream = torch.randint(0, 50257, (4 * args.seq_len,), dtype=torch.int32)
    x, y = next_batch(stream, 0)
    q = k = v = torch.randn(1, args.heads, args.seq_len, 128, device="cuda", dtype=torch.bfloat16)
    out = flex_attention(q, k, v, block_mask=build_mask(args.seq_len))
    print(x.shape, out.shape)
