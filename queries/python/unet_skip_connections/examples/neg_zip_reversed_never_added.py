# example: the same zip over the reversed saved outputs, but the loop only scales the block output by the skip weight and never adds the saved tensor back; negative.
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, depth=12, d=768):
        super().__init__()
        self.blocks = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(depth))
        self.n_enc = depth // 2
        self.skip_weights = nn.Parameter(torch.ones(depth - self.n_enc))

    def forward(self, x):
        saved = []
        for block in self.blocks[:self.n_enc]:
            x = block(x)
            saved.append(x)
        for w, block, skip in zip(self.skip_weights, self.blocks[self.n_enc:], reversed(saved)):
            x = block(x * w)
        return x
