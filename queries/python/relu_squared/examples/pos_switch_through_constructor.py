# example: the MLP keeps its switch as an attribute (`self.relu2 = relu2`) and the model is built with a module constant that is on; positive (every construction passes True).

import torch
import torch.nn as nn
import torch.nn.functional as F

USE_RELU2 = True


class MLP(nn.Module):
    def __init__(self, width, relu2=False):
        super().__init__()
        self.relu2 = relu2
        self.up = nn.Linear(width, 4 * width, bias=False)
        self.down = nn.Linear(4 * width, width, bias=False)

    def forward(self, x):
        h = self.up(x)
        if self.relu2:
            h = F.relu(h).square()
        else:
            h = F.gelu(h)
        return self.down(h)


blocks = nn.ModuleList([MLP(768, relu2=USE_RELU2) for _ in range(4)])
print(blocks[0](torch.randn(2, 768)).shape)
