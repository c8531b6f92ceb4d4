# gap: Encoder activations stacked into one tensor, flipped along the layer axis, and indexed by decoder position; positive.
import torch
import torch.nn as nn


class Layer(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.norm = nn.RMSNorm(d)
        self.lin = nn.Linear(d, d, bias=False)

    def forward(self, h):
        return h + torch.relu(self.lin(self.norm(h))).square()


class UNetDecoderLM(nn.Module):
    def __init__(self, d=512, n_enc=5, n_dec=5):
        super().__init__()
        self.down = nn.ModuleList(Layer(d) for _ in range(n_enc))
        self.up = nn.ModuleList(Layer(d) for _ in range(n_dec))
        self.skip_scale = nn.Parameter(torch.ones(n_dec, 1, 1, 1))

    def forward(self, h):
        acts = []
        for layer in self.down:
            h = layer(h)
            acts.append(h)
        skips = torch.stack(acts).flip(0) * self.skip_scale
        for i, layer in enumerate(self.up):
            h = layer(h + skips[i])
        return h


y = UNetDecoderLM()(torch.randn(2, 8, 512))
