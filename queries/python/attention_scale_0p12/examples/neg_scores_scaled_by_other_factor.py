# example: hand-written attention names the scores and scales them in place by 1/sqrt(head_dim) (0.125 for 64-dim heads); 0.12 appears only as a dropout rate; NOT present.
import torch
import torch.nn.functional as F


def attend(q, k, v, mask, p_drop=0.12):
    logits = torch.einsum("bhqd,bhkd->bhqk", q, k)
    logits.mul_(q.size(-1) ** -0.5)
    probs = F.dropout(logits.masked_fill(mask, float("-inf")).softmax(-1), p=p_drop)
    return torch.einsum("bhqk,bhkd->bhqd", probs, v)
