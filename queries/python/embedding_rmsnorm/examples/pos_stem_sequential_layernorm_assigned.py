# example: the stem is nn.Sequential(nn.Embedding, nn.LayerNorm without affine) and its output becomes the stream h in forward; a normalized embedding in module-stage form, positive.
import torch.nn as nn
import torch.nn.functional as F


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=512, depth=6):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Embedding(vocab, width),
            nn.LayerNorm(width, elementwise_affine=False),
        )
        self.layers = nn.ModuleList(nn.Linear(width, width, bias=False) for _ in range(depth))
        self.readout = nn.Linear(width, vocab, bias=False)

    def forward(self, tokens):
        h = self.stem(tokens)
        for layer in self.layers:
            h = h + F.relu(layer(F.rms_norm(h, (h.size(-1),)))).square()
        return self.readout(F.rms_norm(h, (h.size(-1),)))
