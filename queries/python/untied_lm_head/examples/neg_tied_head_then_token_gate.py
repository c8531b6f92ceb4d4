# example: the head is tied to the embedding (lm_head.weight = embed.weight); after the head, forward calls a one-output gate layer on the hidden state to weight each token's loss; a later projection that makes no logits is not a head of its own; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList(nn.Linear(width, width, bias=False) for _ in range(depth))
        self.lm_head = nn.Linear(width, vocab, bias=False)
        self.lm_head.weight = self.embed.weight
        self.gate = nn.Linear(width, 1, bias=False)

    def forward(self, ids, labels):
        h = self.embed(ids)
        for layer in self.layers:
            h = h + torch.relu(layer(h))
        logits = self.lm_head(h)
        w = torch.sigmoid(self.gate(h)).squeeze(-1)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1), reduction="none")
        return (loss * w.view(-1)).mean()
