# example: an _init_weights hook applied via self.apply zeroes the module that is self.head with nn.init.constant_(w, 0.0) and gives others a normal init; positive (identity-based init hook).
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, vocab=50304, width=768, layers=12):
        super().__init__()
        self.tokens = nn.Embedding(vocab, width)
        self.body = nn.ModuleList(nn.Linear(width, width, bias=False) for _ in range(layers))
        self.head = nn.Linear(width, vocab, bias=False)
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if module is self.head:
            nn.init.constant_(module.weight, 0.0)
        elif isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, std=width_std(module))
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, std=0.02)

    def forward(self, idx):
        h = self.tokens(idx)
        for layer in self.body:
            h = h + layer(h)
        return self.head(h)


def width_std(linear: nn.Linear) -> float:
    return linear.in_features ** -0.5
