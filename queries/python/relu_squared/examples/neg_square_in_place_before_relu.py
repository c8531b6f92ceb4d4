# example: the hidden tensor is squared in place first and rectified afterwards (relu of a square is the square itself), so no squared ReLU; negative.
import torch
import torch.nn as nn


class SquareThenRelu(nn.Module):
    def __init__(self, width=768):
        super().__init__()
        self.expand = nn.Linear(width, 4 * width, bias=False)
        self.contract = nn.Linear(4 * width, width, bias=False)

    def forward(self, x):
        hidden = self.expand(x)
        hidden *= hidden
        hidden.relu_()
        return self.contract(hidden)
