# example: Block adds the attention and MLP outputs to the residual with no multiplier (x + attn(rms_norm(x))); positive.
import torch.nn as nn
import torch.nn.functional as F


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd=768, n_head=6):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=False)
        self.c_proj = nn.Linear(n_embd, n_embd, bias=False)

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, -1).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class Block(nn.Module):
    def __init__(self, n_embd=768):
        super().__init__()
        self.attn = CausalSelfAttention(n_embd)
        self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd, bias=False), nn.ReLU(),
                                 nn.Linear(4 * n_embd, n_embd, bias=False))

    def forward(self, x):
        dims = (x.size(-1),)
        x = x + self.attn(F.rms_norm(x, dims))
        return x + self.mlp(F.rms_norm(x, dims))
