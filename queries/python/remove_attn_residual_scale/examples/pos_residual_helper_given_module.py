# example: design-pattern style: a mixin's residual helper adds the branch it is handed (x + branch(norm(x))), called with self.attn and self.mlp; no scale anywhere; positive.
import torch.nn as nn
import torch.nn.functional as F


class PreNormResidualMixin:
    @staticmethod
    def norm(x):
        return F.rms_norm(x, (x.size(-1),))

    def residual(self, x, branch):
        return x + branch(self.norm(x))


class CausalSelfAttention(nn.Module):
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


class MLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.c_fc = nn.Linear(d, 4 * d, bias=False)
        self.c_proj = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x)))


class Block(PreNormResidualMixin, nn.Module):
    def __init__(self, d, n_head):
        super().__init__()
        self.attn = CausalSelfAttention(d, n_head)
        self.mlp = MLP(d)

    def forward(self, x):
        x = self.residual(x, self.attn)
        return self.residual(x, self.mlp)
