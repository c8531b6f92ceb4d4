# example: the base model ties through a `share_embeddings` hook its __init__ calls; the variant the script builds overrides the hook to do nothing else (it only logs), so the head keeps its own weight; positive.
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
        print("input and output matrices kept apart")


net = SpeedrunBackbone(50304, 768)
