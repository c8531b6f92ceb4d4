# example: the mask_mod is a lambda (kv <= q written backwards), document ids come from torch.cumsum(tokens.eq(EOS)) with EOS a dataclass field; the same document-causal mask in other spellings.
from dataclasses import dataclass

import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


@dataclass
class TokenizerInfo:
    eos_id: int = 50256
    vocab: int = 50304


def packed_attention(tokens, q, k, v, info: TokenizerInfo):
    seg = torch.cumsum(tokens.eq(info.eos_id), dim=0)
    rule = lambda b, h, qi, ki: (ki <= qi) & (seg[qi] == seg[ki])
    n = tokens.shape[0]
    mask = create_block_mask(rule, B=None, H=None, Q_LEN=n, KV_LEN=n)
    return flex_attention(q, k, v, block_mask=mask)
