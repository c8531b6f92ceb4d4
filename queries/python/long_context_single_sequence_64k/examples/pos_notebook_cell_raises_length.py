# example: a notebook sets the sequence length in its first cell and raises it in a later one (`SEQ = 16 * 1024`, then `SEQ = 64 * 1024` before the loop); the loop reads one flat row of the later length; present.
import numpy as np
import torch

# %% setup
SEQ = 16 * 1024


class Packed:
    def __init__(self, tokens):
        self.tokens, self.pos = tokens, 0

    def next(self, n):
        row = torch.from_numpy(self.tokens[self.pos:self.pos + n + 1].astype(np.int64))
        self.pos += n
        return row[:-1].view(1, -1).cuda(), row[1:].view(1, -1).cuda()


# %% longer context
SEQ = 64 * 1024

# %% train
source = Packed(np.zeros(10 ** 7, dtype=np.uint16))
for step in range(100):
    x, y = source.next(SEQ)
