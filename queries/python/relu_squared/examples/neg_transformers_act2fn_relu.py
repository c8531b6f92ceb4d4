# example: the MLP takes "relu" from the transformers activation table (a plain ReLU, not squared); NOT relu_squared (near miss).
import torch.nn as nn
from transformers.activations import ACT2FN


class FeedForward(nn.Module):
    def __init__(self, width=768):
        super().__init__()
        self.up = nn.Linear(width, 4 * width, bias=False)
        self.act = ACT2FN["relu"]
        self.down = nn.Linear(4 * width, width, bias=False)

    def forward(self, x):
        return self.down(self.act(self.up(x)))
