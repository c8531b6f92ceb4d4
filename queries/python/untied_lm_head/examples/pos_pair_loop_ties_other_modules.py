# example: a post-build helper walks (target, source) pairs and shares weights between them, but the pairs tie the two halves of the value projection only; the output head keeps its own weight; positive.
import torch
import torch.nn as nn


class Decoder(nn.Module):
    def __init__(self, vocab=32768, width=512, depth=4):
        super().__init__()
        self.tokens = nn.Embedding(vocab, width)
        self.v_a = nn.Linear(width, width, bias=False)
        self.v_b = nn.Linear(width, width, bias=False)
        self.trunk = nn.ModuleList(nn.Linear(width, width, bias=False) for _ in range(depth))
        self.to_logits = nn.Linear(width, vocab, bias=False)
        self.share()

    def shared_pairs(self):
        return [(self.v_b, self.v_a)]

    def share(self):
        for target, source in self.shared_pairs():
            target.weight = source.weight

    def forward(self, ids):
        h = self.tokens(ids)
        h = h + self.v_a(h) + self.v_b(h)
        for lin in self.trunk:
            h = h + torch.tanh(lin(h))
        return self.to_logits(h)


print(Decoder()(torch.randint(0, 32768, (1, 8))).shape)
