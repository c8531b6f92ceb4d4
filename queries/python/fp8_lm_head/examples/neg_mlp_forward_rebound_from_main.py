# example: the same FP8 forward rebound from main() with `types.MethodType`, but on the MLP's up projection (`model.mlp.c_fc`) only; the head keeps its bf16 product; negative.
import types

import torch
import torch.nn.functional as F
from torch import Tensor, nn


@torch.library.custom_op("nanogpt::mm", mutates_args=())
def mm_op(x: Tensor, w: Tensor, x_s: float, w_s: float, grad_s: float) -> tuple[Tensor, Tensor, Tensor]:
    x_f8 = x.div(x_s).to(torch.float8_e4m3fn)
    w_f8 = w.div(w_s).to(torch.float8_e4m3fn)
    out = torch._scaled_mm(x_f8, w_f8.T, out_dtype=torch.bfloat16,
                           scale_a=x.new_tensor(x_s, dtype=torch.float32), scale_b=x.new_tensor(w_s, dtype=torch.float32))
    return out, x_f8, w_f8


class MLP(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.c_fc = nn.Linear(dim, 4 * dim, bias=False)
        self.c_proj = nn.Linear(4 * dim, dim, bias=False)

    def forward(self, x):
        return self.c_proj(F.relu(self.c_fc(x)).square())


class GPT(nn.Module):
    def __init__(self, dim=768, vocab=50304):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.mlp = MLP(dim)
        self.lm_head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx, target):
        x = self.embed(idx)
        x = x + self.mlp(F.rms_norm(x, (x.size(-1),)))
        logits = self.lm_head(F.rms_norm(x, (x.size(-1),)))
        return F.cross_entropy(logits.float().view(-1, logits.size(-1)), target.view(-1))


def fp8_head_forward(self, x):
    if not self.training:
        return F.linear(x, self.weight.type_as(x))
    out = torch.ops.nanogpt.mm(x.flatten(0, -2), self.weight, x_s=2.0, w_s=32.0, grad_s=2.0 ** 29)[0]
    return out.reshape(*x.shape[:-1], -1)


def main():
    model = GPT().cuda()
    model.mlp.c_fc.forward = types.MethodType(fp8_head_forward, model.mlp.c_fc)
    return model


if __name__ == "__main__":
    main()
