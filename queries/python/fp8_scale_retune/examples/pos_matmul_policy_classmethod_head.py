# example: a linear layer delegates its product to a policy object (`self.train_matmul(x, w)`, a plain callable class); the head is built with the class method CastedLinear.fp8(..., **HEAD_SCALES), which passes a ScaledFp8 policy made by a static factory with x_s=2, w_s=2**9, grad_s=2**19; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


@torch.library.custom_op("demo::mm", mutates_args=())
def mm_op(x: Tensor, w: Tensor, x_s: float, w_s: float, grad_s: float) -> Tensor:
    xf = x.mul(x_s).to(torch.float8_e4m3fn)
    wf = w.mul(w_s).to(torch.float8_e4m3fn)
    one = lambda s: torch.tensor(1.0 / s, dtype=torch.float32, device=x.device)
    return torch._scaled_mm(xf, wf.t(), out_dtype=torch.bfloat16, scale_a=one(x_s), scale_b=one(w_s), use_fast_accum=True)


class MatmulPolicy:
    @staticmethod
    def dense():
        return Dense()

    @staticmethod
    def fp8(x_s, w_s, grad_s):
        return ScaledFp8(x_s, w_s, grad_s)


class Dense(MatmulPolicy):
    def __call__(self, x, w):
        return F.linear(x, w.type_as(x))


class ScaledFp8(MatmulPolicy):
    def __init__(self, x_s, w_s, grad_s):
        self.x_s, self.w_s, self.grad_s = x_s, w_s, grad_s

    def __call__(self, x, w):
        return torch.ops.demo.mm(x.flatten(0, -2), w, self.x_s, self.w_s, self.grad_s).view(*x.shape[:-1], -1)


class CastedLinear(nn.Linear):
    def __init__(self, fan_in, fan_out, matmul=None):
        super().__init__(fan_in, fan_out, bias=False)
        self.train_matmul = matmul or MatmulPolicy.dense()
        self.eval_matmul = MatmulPolicy.dense()

    @classmethod
    def fp8(cls, fan_in, fan_out, *, x_s, w_s, grad_s):
        return cls(fan_in, fan_out, matmul=MatmulPolicy.fp8(x_s, w_s, grad_s))

    def forward(self, x):
        matmul = self.train_matmul if self.training else self.eval_matmul
        return matmul(x, self.weight)


class Net(nn.Module):
    HEAD_SCALES = dict(x_s=2.0, w_s=2.0 ** 9, grad_s=2.0 ** 19)

    def __init__(self, vocab=50304, d=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.body = CastedLinear(d, d)
        self.lm_head = CastedLinear.fp8(d, vocab, **self.HEAD_SCALES)

    def forward(self, idx, tgt):
        h = F.rms_norm(self.body(self.embed(idx)), (768,))
        logits = self.lm_head(h).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1))
