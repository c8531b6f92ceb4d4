# example: the same lambda mask builder, called twice with one window (`mk(window)` and `mk(window * 1)`), so the "short" layers see the long window too; NOT present.
import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

PATTERN = "LSSSLSSLSSSL"


def masks_for(tokens, window):
    docs = (tokens == 50256).cumsum(0)
    n = tokens.numel()
    mk = lambda w: create_block_mask(lambda b, h, q, kv: (q >= kv) & (docs[q] == docs[kv]) & (q - kv < w), None, None, n, n)
    return {"L": mk(window), "S": mk(window * 1)}


def forward(layers, x, tokens, window=1792):
    masks = masks_for(tokens, window)
    for kind, layer in zip(PATTERN, layers):
        q, k, v = layer.qkv(x)
        x = x + layer.proj(flex_attention(q, k, v, block_mask=masks[kind]))
    return x
