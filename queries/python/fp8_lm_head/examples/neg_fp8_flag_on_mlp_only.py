# example: CastedLinear has an FP8 _scaled_mm path behind use_fp8, but only the MLP's layers are built with use_fp8=True; the lm_head is a CastedLinear without the flag, so the head stays bf16 and this is NOT present (near miss).
import torch
from torch import nn
import torch.nn.functional as F


class CastedLinear(nn.Linear):
    def __init__(self, fan_in, fan_out, use_fp8=False):
        super().__init__(fan_in, fan_out, bias=False)
        self.use_fp8 = use_fp8

    def forward(self, x):
        if self.use_fp8 and self.training:
            xf = x.flatten(0, -2)
            x8 = (xf * 2.0).to(torch.float8_e4m3fn)
            w8 = (self.weight * 32.0).to(torch.float8_e4m3fn)
            one = xf.new_ones((), dtype=torch.float32)
            out = torch._scaled_mm(x8, w8.t(), scale_a=one / 2.0, scale_b=one / 32.0, out_dtype=torch.bfloat16)
            return out.view(*x.shape[:-1], -1)
        return F.linear(x, self.weight.type_as(x))


class Model(nn.Module):
    def __init__(self, dim=768, vocab=50304):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.fc = CastedLinear(dim, 4 * dim, use_fp8=True)
        self.proj = CastedLinear(4 * dim, dim, use_fp8=True)
        self.lm_head = CastedLinear(dim, vocab)

    def forward(self, idx, targets):
        x = self.embed(idx)
        x = x + self.proj(F.relu(self.fc(x)).square())
        logits = self.lm_head(x).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
