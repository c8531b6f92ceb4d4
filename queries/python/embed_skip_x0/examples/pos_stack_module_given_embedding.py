# example: the wrapper looks the tokens up and hands the embedding to a stack module, whose forward keeps it as x0 and mixes it into the stream before every block with two learnable weights; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F

class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.fc = nn.Linear(width, width)

    def forward(self, x):
        return x + self.fc(F.rms_norm(x, (x.size(-1),)))

class Stack(nn.Module):
    def __init__(self, width, depth):
        super().__init__()
        self.blocks = nn.ModuleList(Block(width) for _ in range(depth))
        self.mix = nn.ParameterList(nn.Parameter(torch.tensor([1.0, 0.0])) for _ in range(depth))

    def forward(self, x):
        x0 = x
        for block, w in zip(self.blocks, self.mix):
            x = w[0] * x + w[1] * x0
            x = block(x)
        return x

class Wrapper(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=12):
        super().__init__()
        self.tokens = nn.Embedding(vocab, width)
        self.stack = Stack(width, depth)

    def forward(self, idx):
        x = F.rms_norm(self.tokens(idx), (768,))
        return self.stack(x)
