# example: the vocabulary is rounded up by a helper that counts up in a while loop until the size divides by 128 (the way Megatron pads it); positive (50,257 becomes 50,304).

import torch.nn as nn

ORIG_VOCAB = 50257
DIVISIBLE_BY = 128


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
