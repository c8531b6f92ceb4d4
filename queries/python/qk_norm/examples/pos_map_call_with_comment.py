# example: one RMSNorm module mapped over (q, k), the call spread over lines with a comment before the function; positive.
import torch.nn as nn
import torch.nn.functional as F

class A(nn.Module):
    def __init__(self, d=512, h=8):
        super().__init__()
        self.h = h
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.o = nn.Linear(d, d, bias=False)
        self.qn = nn.RMSNorm(d // h)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.h, -1).permute(2, 0, 3, 1, 4)
        q, k = map(
            # the same norm for both
            self.qn,
            (q, k),
        )
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o(y.transpose(1, 2).reshape(b, t, d))
