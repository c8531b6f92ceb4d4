# gap: separate c_q/c_k/c_v layers (made by unpacking one generator) exist, but only the MLP weights go to the orthogonalizing optimizer and attention trains with AdamW; form (B) does not yet check where the attention weights are routed; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


def zeropower(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class Block(nn.Module):
    def __init__(self, d=512, heads=4):
        super().__init__()
        self.heads = heads
        self.c_q, self.c_k, self.c_v = (nn.Linear(d, d, bias=False) for _ in range(3))
        self.c_proj = nn.Linear(d, d, bias=False)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d, bias=False), nn.GELU(), nn.Linear(4 * d, d, bias=False))

    def forward(self, x):
        B, T, C = x.shape
        q = self.c_q(x).view(B, T, self.heads, -1).transpose(1, 2)
        k = self.c_k(x).view(B, T, self.heads, -1).transpose(1, 2)
        v = self.c_v(x).view(B, T, self.heads, -1).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C)
        x = x + self.c_proj(y)
        return x + self.mlp(x)


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(zeropower(buf).type_as(p), alpha=-group["lr"])


blocks = nn.ModuleList(Block() for _ in range(4))
mlp_params = [p for b in blocks for p in b.mlp.parameters()]
attn_params = [p for b in blocks for n, p in b.named_parameters() if not n.startswith("mlp.")]
optimizers = [Muon(mlp_params, lr=0.02), torch.optim.AdamW(attn_params, lr=1e-3, weight_decay=0.0)]
