# example: the head comes from a lambda factory of linear layers, then its weight is made the embedding's;
# negative (tied).
import torch.nn as nn
import torch.nn.functional as F

mk = lambda i, o: nn.Linear(i, o, bias=False)


class LM(nn.Module):
    def __init__(s, V=50304, d=768):
        super().__init__()
        s.tok = nn.Embedding(V, d)
        s.out = mk(d, V)
        s.tok.weight = s.out.weight

    def forward(s, i, t):
        z = s.out(F.rms_norm(s.tok(i), (768,))).float()
        return F.cross_entropy(z.view(-1, z.size(-1)), t.view(-1))
