# example: the linear layer multiplies by as_dtype(self.weight, x), a helper whose autograd function copies the fp32 weight with a Triton kernel into a new tensor of the activation's dtype; the model is cast to bf16 and the casting linears put back to fp32; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F
import triton
import triton.language as tl


@triton.jit
def _copy_kernel(src_ptr, dst_ptr, numel, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    ok = offs < numel
    tl.store(dst_ptr + offs, tl.load(src_ptr + offs, mask=ok).to(dst_ptr.dtype.element_ty), mask=ok)


def converted(src, dtype):
    src = src.contiguous()
    dst = torch.empty(src.shape, device=src.device, dtype=dtype)
    _copy_kernel[(triton.cdiv(src.numel(), 4096),)](src, dst, src.numel(), BLOCK=4096)
    return dst


class AsDtype(torch.autograd.Function):
    @staticmethod
    def forward(ctx, w, dtype):
        ctx.source = w.dtype
        return converted(w, dtype)

    @staticmethod
    def backward(ctx, g):
        return converted(g, ctx.source), None


def as_dtype(w, x):
    return AsDtype.apply(w, x.dtype)


class MasterLinear(nn.Linear):
    def forward(self, x):
        return F.linear(x, as_dtype(self.weight, x))


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList(MasterLinear(width, width, bias=False) for _ in range(depth))
        self.head = MasterLinear(width, vocab, bias=False)

    def forward(self, ids):
        h = self.embed(ids)
        for layer in self.layers:
            h = h + torch.relu(layer(h)).square()
        return self.head(h).float()


model = TinyLM().cuda().bfloat16()
for module in model.modules():
    if isinstance(module, MasterLinear):
        module.float()
