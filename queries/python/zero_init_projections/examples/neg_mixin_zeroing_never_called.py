# example: design-pattern style: the mixin's zeroing template method is defined but neither branch's __init__ calls it (the activation still comes from a factory classmethod); negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class GeluActivation:
    def __call__(self, x):
        return F.gelu(x)


class SquaredReluActivation:
    def __call__(self, x):
        return torch.square(torch.relu(x))


class ActivationFactory:
    _registry = {"gelu": GeluActivation, "relu2": SquaredReluActivation}

    @classmethod
    def create(cls, name):
        return cls._registry[name]()


class ZeroInitOutputMixin:
    output_projection_attr = "c_proj"

    def reset_output_projection(self):
        projection = getattr(self, self.output_projection_attr)
        nn.init.zeros_(projection.weight)


class CausalSelfAttention(ZeroInitOutputMixin, nn.Module):
    def __init__(self, d, n_head):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(d, 3 * d, bias=False)
        self.c_proj = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, -1).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class MLP(ZeroInitOutputMixin, nn.Module):
    def __init__(self, d, activation="relu2"):
        super().__init__()
        self.c_fc = nn.Linear(d, 4 * d, bias=False)
        self.c_proj = nn.Linear(4 * d, d, bias=False)
        self.activation = ActivationFactory.create(activation)

    def forward(self, x):
        return self.c_proj(self.activation(self.c_fc(x)))
