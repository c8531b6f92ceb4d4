# example: Single loop over all blocks; encoder outputs saved in a dict by layer index, decoder layer i reads saved[n_layer - 1 - i]; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F

N_LAYER = 12


class Model(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(N_LAYER))
        self.skip_gain = nn.ParameterDict({str(i): nn.Parameter(torch.tensor(1.0)) for i in range(N_LAYER // 2, N_LAYER)})

    def forward(self, x):
        saved = {}
        for i, layer in enumerate(self.layers):
            if i >= N_LAYER // 2:
                x = x + self.skip_gain[str(i)] * saved[N_LAYER - 1 - i]
            x = x + layer(F.rms_norm(x, (x.size(-1),)))
            if i < N_LAYER // 2:
                saved[i] = x
        return x


out = Model()(torch.randn(2, 16, 768))
