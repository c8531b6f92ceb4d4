# example: near miss - a named init hook over a GELU MLP zeroes only the layers named `.qkv` and `.fc1` (input projections); a hook with a name test is not one that zeroes every linear layer; NOT present.
import torch
import torch.nn as nn
import torch.nn.functional as F

def named_apply(fn, module, name='', depth_first=True, include_root=False):
    if not depth_first and include_root:
        fn(module=module, name=name)
    for child_name, child_module in module.named_children():
        child_name = '.'.join((name, child_name)) if name else child_name
        named_apply(fn=fn, module=child_module, name=child_name, depth_first=depth_first, include_root=True)
    if depth_first and include_root:
        fn(module=module, name=name)
    return module

class Attention(nn.Module):
    def __init__(self, dim, num_heads=8):
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.qkv = nn.Linear(dim, dim * 3, bias=False)
        self.proj = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).reshape(B, T, 3, self.num_heads, self.head_dim).unbind(2)
        x = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.proj(x.transpose(1, 2).reshape(B, T, C))

class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden, bias=False)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim, bias=False)
    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))

class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.attn = Attention(dim, heads)
        self.mlp = Mlp(dim, 4 * dim)
    def forward(self, x):
        x = x + self.attn(x)
        return x + self.mlp(x)

def _init_weights(module: nn.Module, name: str = ''):
    if isinstance(module, nn.Linear) and (name.endswith('.qkv') or name.endswith('.fc1')):
        nn.init.zeros_(module.weight)

class GPT(nn.Module):
    def __init__(self, depth=4, dim=256, heads=4):
        super().__init__()
        self.blocks = nn.ModuleList([Block(dim, heads) for _ in range(depth)])
        named_apply(_init_weights, self)
    def forward(self, x):
        for b in self.blocks:
            x = b(x)
        return x

model = GPT()
