# example: the same loop rounding up to a multiple of 8 only (50,264, not aligned to 64); negative.

import torch.nn as nn

ORIG_VOCAB = 50257
DIVISIBLE_BY = 8


def vocab_size_with_padding(orig, multiple):
    after = orig
    while after % multiple != 0:
        after += 1
    return after


class TinyLM(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        vocab = vocab_size_with_padding(ORIG_VOCAB, DIVISIBLE_BY)
        self.embed = nn.Embedding(vocab, d)
        self.head = nn.Linear(d, vocab, bias=False)
