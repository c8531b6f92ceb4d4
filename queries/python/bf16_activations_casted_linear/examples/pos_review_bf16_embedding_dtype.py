# example: the embedding table is created directly in bf16 (nn.Embedding(..., dtype=torch.bfloat16)) so activations are bf16, while a CastLinear keeps fp32 weights and casts them with .type_as(x); no autocast; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class CastLinear(nn.Module):
    def __init__(self, fan_in, fan_out):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(fan_out, fan_in) * fan_in ** -0.5)

    def forward(self, x):
        return F.linear(x, self.weight.type_as(x))


class TinyGPT(nn.Module):
    def __init__(self, vocab=50304, d=512, n_layer=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, d, dtype=torch.bfloat16)
        self.ups = nn.ModuleList(CastLinear(d, 4 * d) for _ in range(n_layer))
        self.downs = nn.ModuleList(CastLinear(4 * d, d) for _ in range(n_layer))
        self.head = CastLinear(d, vocab)

    def forward(self, idx):
        x = self.embed(idx)
        for up, down in zip(self.ups, self.downs):
            x = x + down(F.relu(up(F.rms_norm(x, (x.size(-1),)))).square())
        return self.head(F.rms_norm(x, (x.size(-1),))).float()


model = TinyGPT().cuda()
idx = torch.randint(0, 50304, (2, 64), device="cuda")
F.cross_entropy(model(idx[:, :-1]).flatten(0, 1), idx[:, 1:].flatten()).backward()
