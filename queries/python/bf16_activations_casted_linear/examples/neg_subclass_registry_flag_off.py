# example: the same registry, but the casting linears are declared with keep_fp32=False, so the predicate keeps no module in fp32 and the whole model stays bf16 (no fp32 master weights); negative.
import torch
import torch.nn as nn
import torch.nn.functional as F

_KEEP = set()


class Registered:
    def __init_subclass__(klass, keep_fp32=False, **kw):
        super().__init_subclass__(**kw)
        if keep_fp32:
            _KEEP.add(klass)


def needs_master(module):
    return isinstance(module, tuple(_KEEP))


class MatchDtype:
    def _w(self, x):
        return self.w.type_as(x)

    def forward(self, x):
        return x @ self._w(x).T


class Dense(MatchDtype, Registered, nn.Module, keep_fp32=False):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.w = nn.Parameter(torch.randn(n_out, n_in) * n_in ** -0.5)


class Net(nn.Module):
    def __init__(self, vocab=50304, d=512, depth=6):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList(Dense(d, d) for _ in range(depth))
        self.head = Dense(d, vocab)

    def to_mixed(self):
        self.to(dtype=torch.bfloat16)
        for m in self.modules():
            if needs_master(m):
                m.float()
        return self

    def forward(self, ids):
        h = self.emb(ids)
        for lyr in self.layers:
            h = h + lyr(F.rms_norm(h, (h.size(-1),)))
        return self.head(h).float()


net = Net().cuda().to_mixed()
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
ids = torch.randint(0, 50304, (2, 256), device="cuda")
F.cross_entropy(net(ids).flatten(0, 1), ids.flatten()).backward()
opt.step()
