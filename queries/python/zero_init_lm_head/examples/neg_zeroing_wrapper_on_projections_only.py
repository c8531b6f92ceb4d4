# example: the same zeroing helper wraps the block projections, while the head is an ordinary linear layer;
# negative (the head is drawn at random).
import torch.nn as nn
import torch.nn.functional as F

mk = lambda i, o: nn.Linear(i, o, bias=False)
def zeroed(m): m.weight.data.zero_(); return m


class LM(nn.Module):
    def __init__(s, V=50304, d=768, L=12):
        super().__init__()
        s.tok = nn.Embedding(V, d)
        s.mix = nn.ModuleList(zeroed(mk(d, d)) for _ in range(L))
        s.out = mk(d, V)

    def forward(s, i, t):
        h = s.tok(i)
        for f in s.mix: h = h + f(F.rms_norm(h, (h.size(-1),)))
        z = s.out(F.rms_norm(h, (h.size(-1),))).float()
        return F.cross_entropy(z.view(-1, z.size(-1)), t.view(-1))
