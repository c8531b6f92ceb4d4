# example: attention is computed by hand as softmax(q @ k^T * args.logit_scale) with an argparse default of 3 / 25 (= 0.12); a third spelling of the fixed scale.
import argparse

import torch
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--logit_scale", type=float, default=3 / 25)
args, _ = parser.parse_known_args()


def causal_attention(q, k, v):
    t = q.size(-2)
    scores = (q @ k.transpose(-2, -1)) * args.logit_scale
    future = torch.triu(torch.ones(t, t, dtype=torch.bool, device=q.device), diagonal=1)
    scores = scores.masked_fill(future, float("-inf"))
    return F.softmax(scores.float(), dim=-1).type_as(v) @ v


def layer(x, w_qkv, w_o, heads):
    b, t, c = x.shape
    q, k, v = F.linear(x, w_qkv).view(b, t, 3, heads, -1).permute(2, 0, 3, 1, 4)
    q, k = F.rms_norm(q, (q.size(-1),)), F.rms_norm(k, (k.size(-1),))
    return F.linear(causal_attention(q, k, v).transpose(1, 2).reshape(b, t, c), w_o)
