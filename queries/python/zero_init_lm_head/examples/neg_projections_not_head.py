# example: near miss - block output projections are zeroed (zero_init_projections) but the untied lm_head keeps default init; negative for the head id.
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.c_fc = nn.Linear(d, 4 * d, bias=False)
        self.c_proj = nn.Linear(4 * d, d, bias=False)
        self.c_proj.weight.data.zero_()

    def forward(self, x):
        return self.c_proj(F.relu(self.c_fc(x)).square())


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n_layer=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.mlps = nn.ModuleList(MLP(d) for _ in range(n_layer))
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        x = self.wte(idx)
        for m in self.mlps:
            x = x + m(F.rms_norm(x, (x.size(-1),)))
        return self.lm_head(x)
