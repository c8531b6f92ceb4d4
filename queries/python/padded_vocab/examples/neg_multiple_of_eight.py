# example: near miss - the vocabulary is rounded up to a multiple of 8 only (50,264), not 64-aligned; negative.
import torch.nn as nn

VOCAB = 50257
PADDED = ((VOCAB + 7) // 8) * 8


class LM(nn.Module):
    def __init__(self, dim=768):
        super().__init__()
        self.embed = nn.Embedding(PADDED, dim)
        self.head = nn.Linear(dim, PADDED, bias=False)


model = LM()
