# example: functools.partial binds the BlockMask once per forward; the partial is then used by every layer; positive.
import functools

import torch
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

compiled_flex = torch.compile(flex_attention, dynamic=False)

HEADS = 8


def window_rule(b, h, q_idx, kv_idx):
    return q_idx >= kv_idx


def layer(x, params, attend):
    B, T, C = x.shape
    q = F.linear(x, params["wq"]).view(B, T, HEADS, -1).transpose(1, 2)
    k = F.linear(x, params["wk"]).view(B, T, HEADS, -1).transpose(1, 2)
    v = F.linear(x, params["wv"]).view(B, T, HEADS, -1).transpose(1, 2)
    y = attend(q, k, v)
    return x + F.linear(y.transpose(1, 2).reshape(B, T, C), params["wo"])


def model_forward(x, all_params):
    T = x.size(1)
    bm = create_block_mask(window_rule, None, None, T, T, device=x.device)
    attend = functools.partial(compiled_flex, block_mask=bm)
    for p in all_params:
        x = layer(x, p, attend)
    return x


if __name__ == "__main__":
    C = 512
    ps = [{n: torch.randn(C, C, device="cuda") * C ** -0.5 for n in ("wq", "wk", "wv", "wo")} for _ in range(4)]
    print(model_forward(torch.randn(1, 2048, C, device="cuda"), ps).shape)
