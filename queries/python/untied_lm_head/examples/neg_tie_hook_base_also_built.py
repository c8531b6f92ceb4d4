# example: one variant overrides the tying hook with a no-op, but the script trains the tied base model (the variant is only built for a shape check); negative.
import torch.nn as nn


class Backbone(nn.Module):
    def __init__(self, vocab, width):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.readout = nn.Linear(width, vocab, bias=False)
        self.share_embeddings()

    def share_embeddings(self):
        self.readout.weight = self.tok.weight

    def forward(self, ids):
        return self.readout(self.tok(ids))


class Untied(Backbone):
    def share_embeddings(self):
        pass


probe = Untied(64, 8)
model = Backbone(50304, 768)
