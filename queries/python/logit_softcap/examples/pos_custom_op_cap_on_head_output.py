# example: the head's output handed to an operator registered with torch.library whose body caps it with c * tanh(z / c), c passed at the call; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

@torch.library.custom_op("lm::bounded", mutates_args=())
def bounded(z: Tensor, c: float) -> Tensor:
    return c * torch.tanh(z.float() / c)

@bounded.register_fake
def _(z, c):
    return torch.empty_like(z, dtype=torch.float32)

class Reader(nn.Module):
    def __init__(self, dim, vocab):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.out = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx, targets):
        h = self.tok(idx)
        z = self.out(F.rms_norm(h, (h.size(-1),)))
        logits = torch.ops.lm.bounded(z, 30.0)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
