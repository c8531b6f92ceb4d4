# example: a standalone loss helper applies the unembedding and passes logits.to(torch.float32) straight into cross_entropy; positive (inline cast, helper layout).
import torch
import torch.nn.functional as F
from torch import nn


def lm_loss(hidden: torch.Tensor, unembed: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    scores = hidden @ unembed.T
    return F.cross_entropy(scores.to(torch.float32).flatten(0, 1), labels.flatten())


class Decoder(nn.Module):
    def __init__(self, vocab=50304, width=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.out_w = nn.Parameter(torch.randn(vocab, width) * 0.02)
        self.mix = nn.Linear(width, width, bias=False)

    def forward(self, ids, labels):
        h = self.embed(ids).bfloat16()
        h = h + self.mix.to(torch.bfloat16)(h)
        return lm_loss(h, self.out_w.bfloat16(), labels)


net = Decoder()
loss = net(torch.randint(0, 50304, (2, 32)), torch.randint(0, 50304, (2, 32)))
loss.backward()
