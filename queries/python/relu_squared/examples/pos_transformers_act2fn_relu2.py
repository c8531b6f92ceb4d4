# example: the MLP takes its activation from the transformers table by a config string "relu2" (the library's squared ReLU) and calls it.
import torch.nn as nn
from transformers.activations import ACT2FN


class FeedForward(nn.Module):
    hidden_act = "relu2"

    def __init__(self, width=768):
        super().__init__()
        self.up = nn.Linear(width, 4 * width, bias=False)
        self.act = ACT2FN[self.hidden_act]
        self.down = nn.Linear(4 * width, width, bias=False)

    def forward(self, x):
        return self.down(self.act(self.up(x)))
