# example: hand-written attention stores the raw scores under a name and divides them afterwards by 25/3 (= 1/0.12) before the softmax; present.
import math

import torch


def attend(q, k, v, causal_mask):
    scores = torch.matmul(q, k.transpose(-1, -2))
    scores = scores / (25 / 3)
    scores = scores.masked_fill(causal_mask, -math.inf)
    weights = torch.softmax(scores.float(), dim=-1).to(v.dtype)
    return torch.matmul(weights, v)
