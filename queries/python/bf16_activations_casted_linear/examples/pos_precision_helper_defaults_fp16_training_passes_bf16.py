# example: a general precision helper defaults to fp16 activations and fp64 masters, a self-check runs it on a toy with
# those values, and the training call passes bf16 activations with fp32 masters for the casting linears; the scored
# run is the training call, so activations are bf16 with fp32 linear weights; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class FollowLinear(nn.Linear):
    def forward(self, x):
        return F.linear(x, self.weight.to(dtype=x.dtype))


def set_precision(model, activation_dtype=torch.float16, master_dtype=torch.float64, masters=(FollowLinear,)):
    model.to(dtype=activation_dtype)
    for m in model.modules():
        if isinstance(m, masters):
            m.to(dtype=master_dtype)
    return model


def _check_precision():
    toy = set_precision(nn.Sequential(nn.Embedding(10, 4), FollowLinear(4, 3)))
    assert toy[0].weight.dtype == torch.float16
    assert toy[1].weight.dtype == torch.float64


class Net(nn.Module):
    def __init__(self, vocab=50304, d=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.fc = FollowLinear(d, 4 * d, bias=False)
        self.proj = FollowLinear(4 * d, d, bias=False)

    def forward(self, idx):
        x = self.embed(idx)
        return x + self.proj(F.relu(self.fc(x)).square())


_check_precision()
model = set_precision(Net().cuda(), activation_dtype=torch.bfloat16, master_dtype=torch.float32)
