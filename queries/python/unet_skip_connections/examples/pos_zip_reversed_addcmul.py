# example: the first half of the blocks saves its outputs; the second half zips the skip weights, its blocks and the saved outputs reversed, and adds each back into the block input with x.addcmul(w, skip) (x + w * skip); positive (zip loop variable, addcmul spelling).
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
            x = block(x.addcmul(w, skip))
        return x
