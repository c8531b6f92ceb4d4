# gap: Recursive U-Net: level i runs encoder i, recurses, then adds its own activation before decoder (n-1-i); mirrored by construction; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class RecursiveUNet(nn.Module):
    def __init__(self, d=384, levels=6):
        super().__init__()
        self.levels = levels
        self.enc = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(levels))
        self.dec = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(levels))
        self.skip_w = nn.Parameter(torch.ones(levels))

    def _block(self, lin, x):
        return x + F.gelu(lin(F.rms_norm(x, (x.size(-1),))))

    def _level(self, i, x):
        if i == self.levels:
            return x
        skip = self._block(self.enc[i], x)
        inner = self._level(i + 1, skip)
        j = self.levels - 1 - i
        return self._block(self.dec[j], inner + self.skip_w[j] * skip)

    def forward(self, x):
        return self._level(0, x)


y = RecursiveUNet()(torch.randn(2, 8, 384))
