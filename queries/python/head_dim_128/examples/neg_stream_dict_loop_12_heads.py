# example: q, k and v written into a local dict by a loop over the stream names and read back by key; 12 heads at width 768, head size 64; negative.
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, width=768, n_head=12):
        super().__init__()
        self.n_head = n_head
        self.head_dim = width // n_head
        self.proj = nn.ModuleDict({name: nn.Linear(width, width, bias=False) for name in ("q", "k", "v", "out")})

    def forward(self, x):
        B, T, C = x.size()
        streams = {}
        for name in ("q", "k", "v"):
            streams[name] = self.proj[name](x).view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        y = F.scaled_dot_product_attention(streams["q"], streams["k"], streams["v"], is_causal=True)
        return self.proj["out"](y.transpose(1, 2).contiguous().view(B, T, C))


attn = Attention()
