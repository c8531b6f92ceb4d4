# example: near miss - the flex mask_mod has a distance term (qi - ki < span), but span is set to the training sequence length (--seq-len), so no key inside a batch is ever cut off and the mask is plain causal; negative.
import argparse

import torch
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

parser = argparse.ArgumentParser()
parser.add_argument("--seq-len", type=int, default=65536)
parser.add_argument("--heads", type=int, default=6)
args = parser.parse_args()

span = args.seq_len


def local_causal(b, h, qi, ki):
    return (qi >= ki) & (qi - ki < span)


def next_batch(stream, pos):
    chunk = stream[pos: pos + args.seq_len + 1].cuda().long()
    return chunk[:-1][None], chunk[1:][None]


def attend(q, k, v):
    mask = create_block_mask(local_causal, None, None, args.seq_len, args.seq_len)
    return flex_attention(q, k, v, block_mask=mask)


if __name__ == "__main__":
    stream = torch.randint(0, 50257, (4 * args.seq_len,), dtype=torch.int32)
    x, y = next_batch(stream, 0)
    q = k = v = torch.randn(1, args.heads, args.seq_len, 128, device="cuda", dtype=torch.bfloat16)
    out = attend(q, k, v)
    print(x.shape, out.shape)
