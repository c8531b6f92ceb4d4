# example: near miss - the same undecidable hardware probe, but its first branch casts the whole model to bf16; only the fallback keeps the model in fp32 with bf16 tables; negative.
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
    net = net.to(torch.bfloat16)
else:
    for module in net.modules():
        if isinstance(module, nn.Embedding):
            module.to(torch.bfloat16)
