# example: near miss - the same module global of static-function classes rebound in main(), but the class the selector
# builds has an `rms` that only casts (a placeholder left in); the run that picks it leaves the embeddings raw, so the
# lookup is not surely normalized; negative.
import torch
import torch.nn.functional as F
from torch import nn


class Reference:
    @staticmethod
    def rms(x, eps=1e-6):
        return x * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + eps).to(x.dtype)


def build_custom():
    class _RowRms(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, eps):
            return F.rms_norm(x, (x.size(-1),), eps=eps)

        @staticmethod
        def backward(ctx, grad):
            return grad, None

    class Custom:
        @staticmethod
        def rms(x, eps=1e-6):
            return x.float().to(x.dtype)

    return Custom


def choose(kind):
    if kind == "custom":
        return build_custom()
    return Reference


KERNELS = Reference


class Model(nn.Module):
    def __init__(self, vocab=50304, width=768):
        super().__init__()
        self.emb = nn.Embedding(vocab, width)
        self.mix = nn.Linear(width, width, bias=False)
        self.unembed = nn.Linear(width, vocab, bias=False)

    def forward(self, tokens):
        h = KERNELS.rms(self.emb(tokens))
        h = h + self.mix(h)
        return self.unembed(KERNELS.rms(h))


def main(kind="custom"):
    global KERNELS
    KERNELS = choose(kind)
    return Model()
