# example: a functional helper calls a compiled flex_attention with the BlockMask passed positionally (5th argument); still FlexAttention with a block mask.
import torch
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_block_mask, flex_attention as _flex_impl

_attend = torch.compile(_flex_impl)

EOT = 50256


def make_mask(tokens):
    doc = (tokens == EOT).cumsum(0)

    def rule(b, h, qi, ki):
        return (qi >= ki) & (doc[qi] == doc[ki])

    n = tokens.numel()
    return create_block_mask(rule, B=None, H=None, Q_LEN=n, KV_LEN=n)


def attention_forward(x, wq, wk, wv, wo, n_head, mask):
    t = x.size(1)
    q = F.linear(x, wq).unflatten(-1, (n_head, -1)).transpose(1, 2)
    k = F.linear(x, wk).unflatten(-1, (n_head, -1)).transpose(1, 2)
    v = F.linear(x, wv).unflatten(-1, (n_head, -1)).transpose(1, 2)
    out = _attend(q, k, v, None, mask)
    return F.linear(out.transpose(1, 2).reshape(1, t, -1), wo)
