# example: functional attention over a per-layer weight dict; the gate is created as a tensor entry ("gate": torch.tensor(0.5)) and the dicts are made nn.ParameterDicts; the layer reads the gate from its dict and blends its values with the first layer's values it was handed (first layer hands its own values back); positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


def layer_weights(d):
    return {"qkv": torch.randn(3 * d, d) * d ** -0.5, "gate": torch.tensor(0.5)}


def attention(w, h, first_v, heads=4):
    B, T, C = h.shape
    q, k, v = F.linear(h, w["qkv"]).view(B, T, 3, heads, C // heads).transpose(1, 3).unbind(2)
    if first_v is None:
        first_v = v
    gate_w = w["gate"]
    v = first_v * gate_w + v * (1 - gate_w)
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
