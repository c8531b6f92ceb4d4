# example: Separate output matrix as an nn.Parameter consumed with einsum; embedding is an nn.Embedding; nothing shares storage; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, depth=12):
        super().__init__()
        self.tok_embeddings = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(depth))
        self.output_weight = nn.Parameter(torch.randn(vocab, d) * 0.02)

    def forward(self, idx, targets):
        h = F.rms_norm(self.tok_embeddings(idx), (768,))
        for layer in self.layers:
            h = h + F.relu(layer(F.rms_norm(h, (768,)))).square()
        logits = torch.einsum("btd,vd->btv", F.rms_norm(h, (768,)), self.output_weight)
        return F.cross_entropy(logits.float().flatten(0, 1), targets.flatten())


model = GPT()
