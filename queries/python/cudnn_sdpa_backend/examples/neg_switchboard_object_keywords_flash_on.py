# example: near miss - the same switchboard object walked through its __iter__, but it is built with flash=True, so Flash stays on next to cuDNN; negative.
import torch
import torch.nn.functional as F


class Backends:
    def __init__(self, **switches):
        self.switches = switches

    def __iter__(self):
        return iter(self.switches.items())

    def apply(self):
        for name, on in self:
            getattr(torch.backends.cuda, f"enable_{name}_sdp")(on)
        return self


Backends(cudnn=True, flash=True, math=False).apply()


def train(steps=10):
    w = torch.randn(64, 64, device="cuda", dtype=torch.bfloat16, requires_grad=True)
    for _ in range(steps):
        x = torch.randn(2, 6, 256, 64, device="cuda", dtype=torch.bfloat16)
        q = k = v = x @ w
        F.scaled_dot_product_attention(q, k, v, is_causal=True).float().square().mean().backward()


train()
