# example: an autograd.Function does the FP8 forward and backward matmuls with _scaled_mm and a CastedLinear flag enables it only for the lm_head; same FP8 head, other structure.
import torch
import torch.nn as nn
import torch.nn.functional as F

E4M3, E5M2 = torch.float8_e4m3fn, torch.float8_e5m2


def inv(t, s):
    return t.new_tensor(1.0 / s, dtype=torch.float32)


class FP8Matmul(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, sx, sw, sg):
        xq, wq = (x * sx).to(E4M3), (w * sw).to(E4M3)
        ctx.save_for_backward(xq, wq)
        ctx.s = (sx, sw, sg)
        return torch._scaled_mm(xq, wq.t(), scale_a=inv(x, sx), scale_b=inv(x, sw), out_dtype=torch.bfloat16)

    @staticmethod
    def backward(ctx, g):
        xq, wq = ctx.saved_tensors
        sx, sw, sg = ctx.s
        gq = (g * sg).to(E5M2)
        gx = torch._scaled_mm(gq, wq.t().contiguous().t(), scale_a=inv(g, sg), scale_b=inv(g, sw), out_dtype=torch.bfloat16)
        gw = torch._scaled_mm(xq.t().contiguous(), gq.t().contiguous().t(), scale_a=inv(g, sx), scale_b=inv(g, sg),
                              out_dtype=torch.float32).t()
        return gx, gw, None, None, None


class CastedLinear(nn.Linear):
    def __init__(self, fan_in, fan_out, fp8=False):
        super().__init__(fan_in, fan_out, bias=False)
        self.fp8 = fp8

    def forward(self, x):
        if self.fp8 and self.training:
            return FP8Matmul.apply(x.flatten(0, -2), self.weight, 2.0, 32.0, 2.0 ** 29).view(*x.shape[:-1], -1)
        return F.linear(x, self.weight.type_as(x))


class GPTTail(nn.Module):
    def __init__(self, dim=768, vocab=50304):
        super().__init__()
        self.proj = CastedLinear(dim, dim)
        self.lm_head = CastedLinear(dim, vocab, fp8=True)
