# example: weights tied inside a post_init() helper invoked at the end of __init__ via a loop over (dst, src) pairs; negative.
import torch
import torch.nn as nn


class LM(nn.Module):
    def __init__(self, vocab=50304, d=512, n=6):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList(nn.Linear(d, d) for _ in range(n))
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.post_init()

    def _tied_pairs(self):
        return [(self.lm_head, self.embed_tokens)]

    def post_init(self):
        for dst, src in self._tied_pairs():
            dst.weight = src.weight

    def forward(self, ids):
        h = self.embed_tokens(ids)
        for layer in self.layers:
            h = h + torch.relu(layer(h))
        return self.lm_head(h)


model = LM()
