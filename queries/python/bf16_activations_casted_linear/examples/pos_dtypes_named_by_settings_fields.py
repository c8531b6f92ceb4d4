# example: the activation and master dtypes are named by fields of a settings class and turned into torch dtypes by its method; the model goes to bfloat16 and its casting linears back to float32; positive.
import torch
from torch import nn
import torch.nn.functional as F


class Precision:
    activation_dtype: str = "bfloat16"
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
