# example: near miss - the same switchable head, but the configuration dictionary says the embeddings are tied (True): no head is built and the forward multiplies by the embedding matrix; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIG = {"tie_word_embeddings": True, "zero_unembed": True}


class Net(nn.Module):
    def __init__(self, cfg, vocab=1000, d=64):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.body = nn.Linear(d, d)
        self.lm_head = None if cfg["tie_word_embeddings"] else nn.Linear(d, vocab, bias=False)
        if self.lm_head is not None and cfg["zero_unembed"]:
            nn.init.zeros_(self.lm_head.weight)

    def forward(self, idx):
        h = self.body(self.wte(idx))
        return self.lm_head(h) if self.lm_head is not None else F.linear(h, self.wte.weight)


net = Net(CONFIG)
