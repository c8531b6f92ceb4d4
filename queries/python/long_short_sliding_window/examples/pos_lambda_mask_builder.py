# example: the mask builder is a lambda bound to a name (`mk = lambda w: create_block_mask(...)`), called for the long window and for half of it, and each layer picks one from a per-layer pattern; present.
import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

PATTERN = "LSSSLSSLSSSL"


def masks_for(tokens, window):
    docs = (tokens == 50256).cumsum(0)
    n = tokens.numel()
    mk = lambda w: create_block_mask(lambda b, h, q, kv: (q >= kv) & (docs[q] == docs[kv]) & (q - kv < w), None, None, n, n)
    return {"L": mk(window), "S": mk(window // 2)}


def forward(layers, x, tokens, window=1792):
    masks = masks_for(tokens, window)
    for kind, layer in zip(PATTERN, layers):
        q, k, v = layer.qkv(x)
        x = x + layer.proj(flex_attention(q, k, v, block_mask=masks[kind]))
    return x
