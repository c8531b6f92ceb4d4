# example: Gemma-style embedding scaling: the lookup is multiplied by sqrt(hidden_size) before the blocks, with no normalization of the embedding output; negative.
import torch
import torch.nn as nn


class Decoder(nn.Module):
    def __init__(self, vocab=50304, d=768, n_layer=6):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, d)
        self.normalizer = d ** 0.5
        self.layers = nn.ModuleList(nn.Linear(d, d) for _ in range(n_layer))
        self.norm = nn.RMSNorm(d)

    def forward(self, input_ids):
        hidden = self.embed_tokens(input_ids) * self.normalizer
        for layer in self.layers:
            hidden = hidden + layer(self.norm(hidden))
        return self.norm(hidden)


y = Decoder()(torch.randint(0, 50304, (2, 8)))
