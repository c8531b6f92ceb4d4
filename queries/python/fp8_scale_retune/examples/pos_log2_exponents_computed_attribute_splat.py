# example: the linear class takes log2 exponents and keeps `tuple(2.0 ** e for e in exps)` (None without them), spread
# into the FP8 op with `*self.fp8_scales` while training; the head is built with exponents (1, 9, 19), i.e. x_s=2,
# w_s=2**9, grad_s=2**19; positive.
import torch
import torch.nn.functional as F
from torch import Tensor, nn


def fp8_mm(x: Tensor, w: Tensor, x_s: float, w_s: float, grad_s: float) -> Tensor:
    flat = x.flatten(0, -2)
    one = flat.new_ones((), dtype=torch.float32)
    out = torch._scaled_mm((flat * x_s).to(torch.float8_e4m3fn), (w * w_s).to(torch.float8_e4m3fn).t(),
                           scale_a=one / x_s, scale_b=one / w_s, out_dtype=torch.bfloat16)
    return out.view(*x.shape[:-1], -1)


class CastedLinear(nn.Linear):
    def __init__(self, fan_in, fan_out, exps: tuple[int, int, int] | None = None):
        super().__init__(fan_in, fan_out, bias=False)
        self.fp8_scales = None if exps is None else tuple(2.0 ** e for e in exps)

    def forward(self, x: Tensor) -> Tensor:
        if self.training and self.fp8_scales is not None:
            return fp8_mm(x, self.weight, *self.fp8_scales)
        return F.linear(x, self.weight.type_as(x))


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.proj = CastedLinear(dim, dim)
        self.lm_head = CastedLinear(dim, vocab, exps=(1, 9, 19))

    def forward(self, idx, targets):
        logits = self.lm_head(self.proj(F.rms_norm(self.embed(idx), (768,)))).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
