# example: a linear class runs an FP8 custom op when it is built with a tuple of scales (and is training); the
# output head is built with scales (2, 512, 2**19), splatted into the op; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


@torch.library.custom_op("demo::fp8_mm", mutates_args=())
def fp8_mm(x: Tensor, w: Tensor, sx: float, sw: float, sg: float) -> Tensor:
    xf = x.mul(sx).to(torch.float8_e4m3fn)
    wf = w.mul(sw).to(torch.float8_e4m3fn)
    one = lambda s: torch.tensor(1.0 / s, dtype=torch.float32, device=x.device)
    return torch._scaled_mm(xf, wf.t(), out_dtype=torch.bfloat16, scale_a=one(sx), scale_b=one(sw), use_fast_accum=True)


class ScaledLinear(nn.Linear):
    def __init__(self, fan_in, fan_out, scales=None):
        super().__init__(fan_in, fan_out, bias=False)
        self.scales = scales

    def forward(self, x):
        if self.scales is not None and self.training:
            flat = x.flatten(0, -2)
            return torch.ops.demo.fp8_mm(flat, self.weight, *self.scales).view(*x.shape[:-1], -1)
        return F.linear(x, self.weight.type_as(x))


class Net(nn.Module):
    def __init__(self, vocab=50304, d=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.body = ScaledLinear(d, d)
        self.readout = ScaledLinear(d, vocab, scales=(2.0, 512.0, float(1 << 19)))

    def forward(self, idx, tgt):
        h = F.rms_norm(self.body(self.embed(idx)), (768,))
        logits = self.readout(h).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1))
