# example: per-block projections live in an nn.ModuleDict built from dict(...); a loop over .items() skips the input projections with `continue` and zeroes what is left; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Layer(nn.Module):
    def __init__(self, width=384, n_head=6):
        super().__init__()
        self.n_head = n_head
        self.maps = nn.ModuleDict(dict(
            qkv=nn.Linear(width, 3 * width, bias=False),
            o=nn.Linear(width, width, bias=False),
            up=nn.Linear(width, 4 * width, bias=False),
            down=nn.Linear(4 * width, width, bias=False),
        ))
        for role, layer in self.maps.items():
            if role in ("qkv", "up"):
                continue
            nn.init.zeros_(layer.weight)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.maps["qkv"](x).split(C, dim=-1)
        q, k, v = (t.view(B, T, self.n_head, -1).transpose(1, 2) for t in (q, k, v))
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.maps["o"](a.transpose(1, 2).reshape(B, T, C))
        return x + self.maps["down"](F.relu(self.maps["up"](x)).square())


net = nn.Sequential(*[Layer() for _ in range(4)])
