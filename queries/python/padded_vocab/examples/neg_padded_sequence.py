# example: near miss - the 128-rounding helper exists but pads the sequence length (1000 -> 1024), while the vocabulary stays 50257; negative.
import torch
import torch.nn as nn


def round_up(x: int, multiple: int = 128) -> int:
    return ((x + multiple - 1) // multiple) * multiple


VOCAB = 50257
SEQ = round_up(1000)

embed = nn.Embedding(VOCAB, 768)
head = nn.Linear(768, VOCAB, bias=False)
tokens = torch.randint(0, VOCAB, (4, SEQ))
logits = head(embed(tokens))
print(logits.shape)
