# example: the same optional scales, but the new scales go to an MLP projection and the head is built without them
# (`fp8` left at None), so the head's product stays bf16; negative.
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def fp8_mm(x: Tensor, w: Tensor, x_s: float, w_s: float, grad_s: float) -> Tensor:
    flat = x.flatten(0, -2)
    one = flat.new_ones((), dtype=torch.float32)
    out = torch._scaled_mm((flat * x_s).to(torch.float8_e4m3fn), (w * w_s).to(torch.float8_e4m3fn).t(),
                           scale_a=one / x_s, scale_b=one / w_s, out_dtype=torch.bfloat16)
    return out.view(*x.shape[:-1], -1)


@dataclass(frozen=True)
class Scales:
    x_s: float
    w_s: float
    grad_s: float

    def as_tuple(self):
        return (self.x_s, self.w_s, self.grad_s)


HEAD_SCALES = Scales(x_s=2.0, w_s=float(2**9), grad_s=float(2**19))


class CastedLinear(nn.Linear):
    def __init__(self, fan_in, fan_out, fp8: Scales | None = None):
        super().__init__(fan_in, fan_out, bias=False)
        self.scales = None if fp8 is None else fp8.as_tuple()

    def forward(self, x: Tensor) -> Tensor:
        if self.scales is not None and self.training:
            x_s, w_s, grad_s = self.scales
            return fp8_mm(x, self.weight, x_s, w_s, grad_s)
        return F.linear(x, self.weight.type_as(x))


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.fc = CastedLinear(dim, dim, fp8=HEAD_SCALES)
        self.lm_head = CastedLinear(dim, vocab)

    def forward(self, idx, targets):
        logits = self.lm_head(F.rms_norm(self.fc(self.embed(idx)), (768,))).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
