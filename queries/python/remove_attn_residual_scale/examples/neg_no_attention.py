# example: an MLP-only residual network (no attention module anywhere), residual adds are unscaled; negative (no attention branch, so nothing was removed).
import torch
import torch.nn as nn
import torch.nn.functional as F


class MLPBlock(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.up = nn.Linear(d, 4 * d, bias=False)
        self.down = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        return x + self.down(F.relu(self.up(F.rms_norm(x, (x.size(-1),)))).square())


net = nn.Sequential(*[MLPBlock() for _ in range(12)])
print(net(torch.randn(2, 8, 768)).shape)
