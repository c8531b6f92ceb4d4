# example: near miss - the same slicing helper and toy self-check, but the loader asks for 1024-token streams: the
# self-check's numbers are no training length and the real one is short; negative.
import numpy as np
import torch


def window(tokens, start, length):
    piece = np.asarray(tokens[start:start + length + 1]).astype(np.int64)
    return piece[:-1], piece[1:]


def _check_window():
    toks = np.arange(16)
    x, y = window(toks, 2, 5)
    assert x.tolist() == [2, 3, 4, 5, 6] and y[0] == 3


class Stream:
    def __init__(self, tokens, span):
        self.tokens, self.span, self.pos = tokens, span, 0

    def next(self):
        x, y = window(self.tokens, self.pos, self.span)
        self.pos += self.span
        return torch.from_numpy(x)[None], torch.from_numpy(y)[None]


_check_window()
stream = Stream(np.zeros(10_000_000, dtype=np.uint16), 1024)
inputs, targets = stream.next()
