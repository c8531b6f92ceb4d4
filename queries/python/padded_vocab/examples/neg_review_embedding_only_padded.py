# example: the input embedding table is padded to 50304 rows, but the untied output head still produces 50257 logits; negative (the head's vocabulary dimension is not padded).
import torch.nn as nn

VOCAB = 50257
PADDED = 50304


class Model(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.tok_emb = nn.Embedding(PADDED, d)
        self.body = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, d), nn.GELU())
        self.lm_head = nn.Linear(d, VOCAB, bias=False)

    def forward(self, idx):
        return self.lm_head(self.body(self.tok_emb(idx)))


model = Model()
