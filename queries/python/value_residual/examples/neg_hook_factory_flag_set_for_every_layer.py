# example: near miss - the same hook factory, but the model passes is_first=True to every layer, so each layer stores its own values and mixes them with themselves; no first-layer values reach later layers; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, dim, n_head):
        super().__init__()
        self.n_head = n_head
        self.c_q = nn.Linear(dim, dim, bias=False)
        self.c_k = nn.Linear(dim, dim, bias=False)
        self.c_v = nn.Linear(dim, dim, bias=False)
        self.lamb = nn.Parameter(torch.tensor(0.5))

    def forward(self, x):
        B, T, C = x.shape
        q = self.c_q(x).view(B, T, self.n_head, -1)
        k = self.c_k(x).view(B, T, self.n_head, -1)
        v = self.c_v(x).view(B, T, self.n_head, -1)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return y.transpose(1, 2).reshape(B, T, C)


class ValueCarry:
    def __init__(self):
        self.v_first = None

    def clear(self, module, args):
        self.v_first = None



def hook_for(carry, attn, is_first):
    def _blend_values(proj, inputs, v):
        if is_first:
            carry.v_first = v
        return (1 - attn.lamb) * v + attn.lamb * carry.v_first
    return _blend_values


class Net(nn.Module):
    def __init__(self, vocab=256, dim=128, n_head=4, depth=6):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.attns = nn.ModuleList([Attention(dim, n_head) for _ in range(depth)])
        self._carry = ValueCarry()
        self.register_forward_pre_hook(self._carry.clear)
        for i, attn in enumerate(self.attns):
            attn.c_v.register_forward_hook(hook_for(self._carry, attn, is_first=True))

    def forward(self, idx):
        x = self.wte(idx)
        for attn in self.attns:
            x = x + attn(F.rms_norm(x, (x.size(-1),)))
        return x
