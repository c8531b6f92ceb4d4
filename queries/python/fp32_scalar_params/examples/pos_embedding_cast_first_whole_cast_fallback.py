# example: the script casts only the embedding tables to bf16 when a hardware probe allows it, and keeps a whole-model bf16 cast as the fallback branch; the probe cannot be read statically, and the first branch is the intended path; positive.
import torch
from torch import nn


class Tiny(nn.Module):
    def __init__(self, vocab=50304, width=512):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.gain = nn.Parameter(torch.ones(width))
        self.out = nn.Linear(width, vocab, bias=False)

    def forward(self, ids):
        return self.out(self.gain * self.tok(ids))


def supports_mixed_tables():
    return torch.cuda.is_available() and torch.cuda.get_device_capability()[0] >= 8


net = Tiny().cuda()
if supports_mixed_tables():
    for module in net.modules():
        if isinstance(module, nn.Embedding):
            module.to(torch.bfloat16)
else:
    net = net.to(torch.bfloat16)
