# example: a mask factory makes a wide (W) and a narrow (W // 2) create_block_mask, and each layer picks one from a per-layer pattern string "LSSSLSSLSSSL"; same long/short mixing, other code.
import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

PATTERN = "LSSSLSSLSSSL"


def windowed(docs, window):
    def mod(b, h, q, kv):
        return (q >= kv) & (docs[q] == docs[kv]) & (q - kv < window)
    return mod


def masks_for(tokens, window):
    docs = (tokens == 50256).cumsum(0)
    n = tokens.numel()
    wide = create_block_mask(windowed(docs, window), None, None, n, n, device="cuda")
    narrow = create_block_mask(windowed(docs, window // 2), None, None, n, n, device="cuda")
    return {"L": wide, "S": narrow}


def forward(layers, x, tokens, window=1792):
    masks = masks_for(tokens, window)
    for kind, layer in zip(PATTERN, layers):
        q, k, v = layer.qkv(x)
        x = x + layer.proj(flex_attention(q, k, v, block_mask=masks[kind]))
    return x
