# example: the head has its own weight (nothing ties it to the embedding); after the head, forward calls a small four-way scoring layer whose first softmax column weights each token's loss; the head is still found as the projection that makes the logits; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList(nn.Linear(width, width, bias=False) for _ in range(depth))
        self.lm_head = nn.Linear(width, vocab, bias=False)
        self.score = nn.Linear(width, 4, bias=False)

    def forward(self, ids, labels):
        h = self.embed(ids)
        for layer in self.layers:
            h = h + torch.relu(layer(h))
        logits = self.lm_head(h)
        w = self.score(h).softmax(-1)[..., 0]
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1), reduction="none")
        return (loss * w.view(-1)).mean()
