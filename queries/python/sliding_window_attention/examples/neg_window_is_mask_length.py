# example: the mask function has a distance term, but its window is the packed sequence's own length (window = n, the mask built over n positions), so the term never excludes a key; negative.
import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

EOT = 50256


def attend(q, k, v, tokens):
    n = tokens.numel()
    doc = torch.cumsum((tokens == EOT).int(), dim=0)
    window = n

    def rule(b, h, qi, ki):
        return (ki <= qi) & (doc[qi] == doc[ki]) & ((qi - ki) < window)

    mask = create_block_mask(rule, None, None, n, n, device=tokens.device)
    return flex_attention(q, k, v, block_mask=mask)
