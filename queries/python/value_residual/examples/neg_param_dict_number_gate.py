# example (negative): the same functional attention, but the gate is read from a dictionary whose entry is a plain Python number (0.5), never a tensor the model could train: a fixed blend toward the first layer's values, not the learned value residual.
import torch
import torch.nn as nn
import torch.nn.functional as F


def layer_weights(d):
    return {"qkv": torch.randn(3 * d, d) * d ** -0.5}


BLEND = {"gate": 0.5}


def attention(w, h, first_v, heads=4):
    B, T, C = h.shape
    q, k, v = F.linear(h, w["qkv"]).view(B, T, 3, heads, C // heads).transpose(1, 3).unbind(2)
    if first_v is None:
        first_v = v
    gate_w = BLEND["gate"]
    v = v + gate_w * (first_v - v)
    out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return out.transpose(1, 2).reshape(B, T, C), first_v


class Net(nn.Module):
    def __init__(self, d=256, depth=6):
        super().__init__()
        self.layers = nn.ModuleList(
            nn.ParameterDict({name: nn.Parameter(t) for name, t in layer_weights(d).items()}) for _ in range(depth)
        )

    def forward(self, h):
        first_v = None
        for w in self.layers:
            y, first_v = attention(w, h, first_v)
            h = h + y
        return h
