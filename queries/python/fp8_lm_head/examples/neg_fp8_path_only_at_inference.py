# example: an FP8 _scaled_mm path for the lm_head exists but is used only for INFERENCE (eval / no_grad); training runs the ordinary bf16 F.linear, so the training-time lm_head matmul is not FP8; negative.
import torch
from torch import nn
import torch.nn.functional as F


def fp8_logits(x, w, sx=2.0, sw=32.0):
    flat = x.flatten(0, -2)
    one = flat.new_ones((), dtype=torch.float32)
    out = torch._scaled_mm((flat * sx).to(torch.float8_e4m3fn), (w * sw).to(torch.float8_e4m3fn).t(),
                           scale_a=one / sx, scale_b=one / sw, out_dtype=torch.bfloat16)
    return out.view(*x.shape[:-1], -1)


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.lm_head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx, targets=None):
        x = F.rms_norm(self.embed(idx), (768,))
        if self.training:
            logits = F.linear(x, self.lm_head.weight.type_as(x))
        else:
            logits = fp8_logits(x, self.lm_head.weight)       # fast quantized serving path
        if targets is None:
            return logits
        return F.cross_entropy(logits.float().view(-1, logits.size(-1)), targets.view(-1))
