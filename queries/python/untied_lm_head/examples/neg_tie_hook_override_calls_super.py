# example: the variant overrides the tying hook but calls the base hook first (super().share_embeddings()), so the head still shares the embedding's weight; negative.
import torch.nn as nn


class Backbone(nn.Module):
    def __init__(self, vocab, width):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.mix = nn.Linear(width, width, bias=False)
        self.readout = nn.Linear(width, vocab, bias=False)
        self.share_embeddings()

    def share_embeddings(self):
        self.readout.weight = self.tok.weight

    def forward(self, ids):
        return self.readout(self.mix(self.tok(ids)))


class SpeedrunBackbone(Backbone):
    def share_embeddings(self):
        super().share_embeddings()
        print("embeddings shared")


net = SpeedrunBackbone(50304, 768)
