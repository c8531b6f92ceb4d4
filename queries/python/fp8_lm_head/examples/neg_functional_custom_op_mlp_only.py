# example: near miss - the same float8 custom op written as a call (op = torch.library.custom_op("ns::mm", fwd, ...)) and returned from a factory, but only the MLP's up projection uses it; the lm_head stays a bf16 linear; negative.
import torch
from torch import Tensor, nn


def build_fp8_matmul(x_scale=2.0, w_scale=32.0):
    def fwd(x: Tensor, w: Tensor) -> Tensor:
        x8 = x.mul(x_scale).to(torch.float8_e4m3fn)
        w8 = w.mul(w_scale).to(torch.float8_e4m3fn)
        one = x.new_tensor(1.0, dtype=torch.float32)
        return torch._scaled_mm(x8, w8.t(), out_dtype=torch.bfloat16, scale_a=one / x_scale, scale_b=one / w_scale)

    def fwd_fake(x: Tensor, w: Tensor) -> Tensor:
        return x.new_empty(x.shape[0], w.shape[0], dtype=torch.bfloat16)

    matmul = torch.library.custom_op("demo::fp8_matmul", fwd, mutates_args=())
    matmul.register_fake(fwd_fake)

    def apply(x, w):
        return matmul(x.flatten(0, -2), w).reshape(*x.shape[:-1], -1)
    return apply


up_matmul = build_fp8_matmul()


class LM(nn.Module):
    def __init__(self, dim=768, vocab=50304):
        super().__init__()
        self.c_fc = nn.Linear(dim, 4 * dim, bias=False)
        self.c_proj = nn.Linear(4 * dim, dim, bias=False)
        self.lm_head = nn.Linear(dim, vocab, bias=False)

    def forward(self, x):
        h = torch.relu(up_matmul(x, self.c_fc.weight)).square()
        x = x + self.c_proj(h)
        return self.lm_head(x)
