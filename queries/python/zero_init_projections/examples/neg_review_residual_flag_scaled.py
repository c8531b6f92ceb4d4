# example: residual output layers are tagged (SCALE_INIT) but _init_weights gives tagged layers the GPT-2 scaled normal std 0.02 / sqrt(2 * n_layer); negative (scaled init, not zero).
import torch
import torch.nn as nn

N_LAYER = 12


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.attn_in = nn.Linear(d, 3 * d)
        self.attn_out = nn.Linear(d, d)
        self.attn_out.SCALE_INIT = True
        self.fc = nn.Linear(d, 4 * d)
        self.fc_out = nn.Linear(4 * d, d)
        self.fc_out.SCALE_INIT = True

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = (t.view(B, T, 12, -1).transpose(1, 2) for t in self.attn_in(x).split(C, dim=2))
        x = x + self.attn_out(nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C))
        return x + self.fc_out(nn.functional.gelu(self.fc(x)))


class Net(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.blocks = nn.ModuleList(Block(d) for _ in range(N_LAYER))
        self.apply(self._init)

    def _init(self, m):
        if isinstance(m, nn.Linear):
            std = 0.02
            if hasattr(m, "SCALE_INIT"):
                std *= (2 * N_LAYER) ** -0.5
            nn.init.normal_(m.weight, mean=0.0, std=std)
            nn.init.zeros_(m.bias)


net = Net()
