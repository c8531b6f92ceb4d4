# example: per-layer weights stacked into (L, m, n) parameters; a reset method draws the input stacks and zeroes the two
# output-projection stacks in place, and the forward hands each layer's slices to free attention and MLP functions; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


def attention(x, w_qkv, w_out, n_head):
    B, T, C = x.size()
    q, k, v = F.linear(x, w_qkv).split(C, dim=-1)
    q = q.view(B, T, n_head, -1).transpose(1, 2)
    k = k.view(B, T, n_head, -1).transpose(1, 2)
    v = v.view(B, T, n_head, -1).transpose(1, 2)
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return F.linear(y.transpose(1, 2).contiguous().view(B, T, C), w_out)


def mlp(x, w_up, w_down):
    return F.linear(F.relu(F.linear(x, w_up)).square(), w_down)


class GPT(nn.Module):
    def __init__(self, L=12, d=768, V=50304):
        super().__init__()
        self.wte = nn.Embedding(V, d)
        self.w_qkv = nn.Parameter(torch.empty(L, 3 * d, d))
        self.w_out = nn.Parameter(torch.empty(L, d, d))
        self.w_up = nn.Parameter(torch.empty(L, 4 * d, d))
        self.w_down = nn.Parameter(torch.empty(L, d, 4 * d))
        self.lm_head = nn.Linear(d, V, bias=False)
        self.reset()

    @torch.no_grad()
    def reset(self):
        for w in (self.w_qkv, self.w_up):
            w.uniform_(-0.03, 0.03)
        self.w_out.zero_()
        self.w_down.zero_()

    def forward(self, idx):
        x = self.wte(idx)
        for w_qkv, w_out, w_up, w_down in zip(self.w_qkv, self.w_out, self.w_up, self.w_down):
            x = x + attention(x, w_qkv, w_out, 6)
            x = x + mlp(x, w_up, w_down)
        return self.lm_head(x)
