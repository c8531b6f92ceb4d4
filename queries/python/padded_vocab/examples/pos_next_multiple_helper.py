# example: embedding keeps the true 50257 rows while the lm_head is sized with a next_multiple_of_n(vocab, n=128) helper; positive (computed padding of the head only).
import torch
import torch.nn as nn
import torch.nn.functional as F


def next_multiple_of_n(v: int, *, n: int) -> int:
    q, r = divmod(int(v), n)
    return (q + (r > 0)) * n


class Model(nn.Module):
    def __init__(self, vocab_size: int = 50257, dim: int = 768):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, dim)
        self.lm_head = nn.Linear(dim, next_multiple_of_n(vocab_size, n=128), bias=False)

    def forward(self, idx, target):
        x = F.rms_norm(self.embed(idx), (self.embed.embedding_dim,))
        logits = self.lm_head(x).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), target.view(-1))


model = Model()
loss = model(torch.randint(0, 50257, (2, 16)), torch.randint(0, 50257, (2, 16)))
