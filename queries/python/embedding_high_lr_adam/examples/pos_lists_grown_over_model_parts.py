# example: torchtitan-style builder: the embedding's, the head's and the hidden parameters are gathered with += over the model parts, then the embedding gets Adam at 0.3 and the head Adam at 0.002; present.
import torch
from torch import nn
from muon import Muon


class Transformer(nn.Module):
    def __init__(self, vocab=50304, dim=768, depth=4):
        super().__init__()
        self.tok_embeddings = nn.Embedding(vocab, dim)
        self.layers = nn.ModuleList([nn.Linear(dim, dim, bias=False) for _ in range(depth)])
        self.output = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        h = self.tok_embeddings(idx)
        for layer in self.layers:
            h = h + layer(h)
        return self.output(h)


def build_optimizers(model_parts):
    embed_params, output_params, hidden_params = [], [], []
    for model in model_parts:
        embed_params += list(model.tok_embeddings.parameters())
        output_params += list(model.output.parameters())
        hidden_params += list(model.layers.parameters())
    return [
        torch.optim.Adam(embed_params, lr=0.3, betas=(0.9, 0.95), fused=True),
        torch.optim.Adam(output_params, lr=0.002, betas=(0.9, 0.95), fused=True),
        Muon(hidden_params, lr=0.02, momentum=0.95),
    ]


optimizers = build_optimizers([Transformer()])
