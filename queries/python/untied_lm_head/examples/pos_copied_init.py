# example: the output head is initialized by copying the embedding values (copy_ under no_grad) but stays its own Parameter; positive (copying values is not tying).
import torch
import torch.nn as nn


class LM(nn.Module):
    def __init__(self, vocab=50304, dim=768, depth=12):
        super().__init__()
        self.tok_emb = nn.Embedding(vocab, dim)
        self.layers = nn.ModuleList(nn.Linear(dim, dim, bias=False) for _ in range(depth))
        self.out = nn.Linear(dim, vocab, bias=False)
        with torch.no_grad():
            self.out.weight.copy_(self.tok_emb.weight)

    def forward(self, idx):
        x = self.tok_emb(idx)
        for layer in self.layers:
            x = x + layer(x)
        return self.out(x)


model = LM()
assert model.out.weight.data_ptr() != model.tok_emb.weight.data_ptr()
