# example: hand-written attention blocks every pair that looks ahead OR crosses a document boundary (`seg.ne(...)`, segments counted from end-of-text tokens with cumsum) by filling the scores with -inf; the complement of a same-document causal mask, positive.
import torch

EOT = 50256


def segment_ids(tokens):
    return torch.cumsum((tokens == EOT).int(), dim=-1)


def attend(q, k, v, tokens):
    n = q.size(-2)
    seg = segment_ids(tokens)
    pos = torch.arange(n, device=q.device)
    ahead = pos[None, :] > pos[:, None]
    elsewhere = seg[:, :, None].ne(seg[:, None, :])
    blocked = torch.logical_or(ahead[None], elsewhere)[:, None]
    scores = (q @ k.transpose(-2, -1)) * q.size(-1) ** -0.5
    scores = scores.masked_fill(blocked, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v
