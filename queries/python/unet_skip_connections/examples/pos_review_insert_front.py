# example: encoder outputs are pushed to the FRONT of the list (skips.insert(0, x)), so decoder layer i reads skips[i], the mirrored encoder layer; learnable skip weights; positive.
import torch
import torch.nn as nn


class UNetGPT(nn.Module):
    def __init__(self, d=512, n_layer=12):
        super().__init__()
        self.n_enc = n_layer // 2
        self.layers = nn.ModuleList(nn.Sequential(nn.RMSNorm(d), nn.Linear(d, d)) for _ in range(n_layer))
        self.skip_weights = nn.Parameter(torch.ones(n_layer - self.n_enc))

    def forward(self, x):
        skips = []
        for i in range(self.n_enc):
            x = x + self.layers[i](x)
            skips.insert(0, x)
        for i in range(len(self.layers) - self.n_enc):
            x = x + self.skip_weights[i] * skips[i]
            x = x + self.layers[self.n_enc + i](x)
        return x


y = UNetGPT()(torch.randn(2, 8, 512))
