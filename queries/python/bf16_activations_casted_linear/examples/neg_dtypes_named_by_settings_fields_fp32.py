# example: the same settings method, but the activation field names float32, so the model is never put in bfloat16; NOT present.
import torch
from torch import nn
import torch.nn.functional as F


class Precision:
    activation_dtype: str = "float32"
    master_dtype: str = "float32"

    def torch_dtype(self, name):
        return getattr(torch, getattr(self, name))


class CastedLinear(nn.Linear):
    def forward(self, x):
        return F.linear(x, self.weight.to(x.dtype))


class Net(nn.Module):
    def __init__(self, vocab=50304, width=768):
        super().__init__()
        self.emb = nn.Embedding(vocab, width)
        self.proj = CastedLinear(width, width, bias=False)
        self.head = CastedLinear(width, vocab, bias=False)

    def forward(self, idx):
        return self.head(self.proj(self.emb(idx)))


precision = Precision()
model = Net().cuda()
model = model.to(dtype=precision.torch_dtype("activation_dtype"))
master = precision.torch_dtype("master_dtype")
for module in model.modules():
    if isinstance(module, CastedLinear):
        module.to(dtype=master)
