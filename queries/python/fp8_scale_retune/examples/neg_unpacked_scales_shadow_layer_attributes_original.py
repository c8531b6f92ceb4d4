# example: the model unpacks the head's (x, w, grad) scales into locals x_s, w_s, grad_s from a module tuple built by a generator, tuple(2.0 ** e for e in (1, 5, 29)) = (2, 32, 2**29), the first FP8 record's scales, and passes them to a linear class whose own parameters and attributes carry the same names (self.x_s = x_s, defaults 1.0) and whose forward runs an autograd FP8 matmul in training; negative.
import torch
from torch import nn
import torch.nn.functional as F

HEAD_SCALES = tuple(2.0 ** e for e in (1, 5, 29))


class FP8MM(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, x_s, w_s, grad_s):
        xq, wq = (x * x_s).to(torch.float8_e4m3fn), (w * w_s).to(torch.float8_e4m3fn)
        ctx.save_for_backward(xq, wq)
        one = x.new_ones((), dtype=torch.float32)
        return torch._scaled_mm(xq, wq.t(), scale_a=one / x_s, scale_b=one / w_s, out_dtype=torch.bfloat16)

    @staticmethod
    def backward(ctx, g):
        return None, None, None, None, None


class CastedLinear(nn.Linear):
    def __init__(self, in_features, out_features, use_fp8=False, x_s=1.0, w_s=1.0, grad_s=1.0):
        super().__init__(in_features, out_features, bias=False)
        self.use_fp8 = use_fp8
        self.x_s, self.w_s, self.grad_s = x_s, w_s, grad_s

    def forward(self, x):
        if not (self.training and self.use_fp8):
            return F.linear(x, self.weight.type_as(x))
        out = FP8MM.apply(x.flatten(0, -2), self.weight, self.x_s, self.w_s, self.grad_s)
        return out.view(*x.shape[:-1], -1)


class GPT(nn.Module):
    def __init__(self, dim=768, vocab=50304):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        x_s, w_s, grad_s = HEAD_SCALES
        self.lm_head = CastedLinear(dim, vocab, use_fp8=True, x_s=x_s, w_s=w_s, grad_s=grad_s)

    def forward(self, idx):
        return self.lm_head(self.embed(idx))
