# gap: Own module with a weight; forward is torch.mm on a flattened input with weight.t().to(x.dtype); model.bfloat16() followed by model.apply(lambda ...) that puts CastMM modules back to fp32; positive.
import torch
from torch import nn
import torch.nn.functional as F


class CastMM(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(d_out, d_in).normal_(std=d_in ** -0.5))

    def forward(self, x):
        y = torch.mm(x.reshape(-1, x.size(-1)), self.weight.t().to(x.dtype))
        return y.view(*x.shape[:-1], -1)


class Net(nn.Module):
    def __init__(self, vocab=50304, d=512, depth=6):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.mix = nn.ModuleList(CastMM(d, d) for _ in range(depth))
        self.out = CastMM(d, vocab)

    def forward(self, ids):
        h = self.tok(ids)
        for m in self.mix:
            h = h + m(F.rms_norm(h, (h.size(-1),)))
        return self.out(F.rms_norm(h, (h.size(-1),))).float()


net = Net().cuda().bfloat16()
net.apply(lambda m: m.float() if isinstance(m, CastMM) else None)
ids = torch.randint(0, 50304, (2, 256), device="cuda")
F.cross_entropy(net(ids).flatten(0, 1), ids.flatten()).backward()
