# example: a linear class with a `precision` mode runs its FP8 product only when `self.training and self.precision == "fp8"`; only a hidden layer is built with precision="fp8", the head keeps "bf16"; negative.
import torch
import torch.nn.functional as F
from torch import Tensor, nn


def fp8_mm(x: Tensor, w: Tensor, x_s: float = 2.0, w_s: float = 32.0) -> Tensor:
    flat = x.flatten(0, -2)
    one = flat.new_ones((), dtype=torch.float32)
    out = torch._scaled_mm((flat * x_s).to(torch.float8_e4m3fn), (w * w_s).to(torch.float8_e4m3fn).t(),
                           scale_a=one / x_s, scale_b=one / w_s, out_dtype=torch.bfloat16)
    return out.view(*x.shape[:-1], -1)


class CastedLinear(nn.Linear):
    def __init__(self, in_features, out_features, precision="bf16"):
        super().__init__(in_features, out_features, bias=False)
        self.precision = precision

    def forward(self, x: Tensor) -> Tensor:
        if self.training and self.precision == "fp8":
            return fp8_mm(x, self.weight)
        return F.linear(x, self.weight.type_as(x))


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.fc = CastedLinear(dim, dim, precision="fp8")
        self.lm_head = CastedLinear(dim, vocab, precision="bf16")

    def forward(self, idx, targets):
        x = F.rms_norm(self.embed(idx), (768,))
        x = x + F.relu(self.fc(x)).square()
        logits = self.lm_head(x).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
