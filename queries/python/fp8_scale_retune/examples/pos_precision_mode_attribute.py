# example: the head's linear class runs FP8 under a string mode (`self.precision in ("fp8", "float8")`) and hands its scales on as keywords; the head is built with precision="fp8" and scales x 2, w 2**9, grad 2**19; positive.
import torch
import torch.nn.functional as F
from torch import Tensor, nn


def fp8_mm(x: Tensor, w: Tensor, x_s: float = 2.0, w_s: float = 32.0, grad_s: float = 2.0 ** 29) -> Tensor:
    flat = x.flatten(0, -2)
    one = flat.new_ones((), dtype=torch.float32)
    out = torch._scaled_mm((flat * x_s).to(torch.float8_e4m3fn), (w * w_s).to(torch.float8_e4m3fn).t(),
                           scale_a=one / x_s, scale_b=one / w_s, out_dtype=torch.bfloat16)
    return out.view(*x.shape[:-1], -1)


class CastedLinear(nn.Linear):
    def __init__(self, in_features, out_features, precision="bf16", x_s=2.0, w_s=32.0, grad_s=2.0 ** 29):
        super().__init__(in_features, out_features, bias=False)
        self.precision = precision
        self.x_s, self.w_s, self.grad_s = x_s, w_s, grad_s

    def forward(self, x: Tensor) -> Tensor:
        if self.training and self.precision in ("fp8", "float8"):
            return fp8_mm(x, self.weight, x_s=self.x_s, w_s=self.w_s, grad_s=self.grad_s)
        return F.linear(x, self.weight.type_as(x))


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.fc = CastedLinear(dim, dim)
        self.lm_head = CastedLinear(dim, vocab, precision="fp8", x_s=2.0, w_s=2.0 ** 9, grad_s=2.0 ** 19)

    def forward(self, idx, targets):
        x = F.rms_norm(self.embed(idx), (768,))
        x = x + F.relu(self.fc(x)).square()
        logits = self.lm_head(x).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
