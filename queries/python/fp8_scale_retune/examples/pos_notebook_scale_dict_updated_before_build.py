# example: a notebook export keeps the FP8 head's scales in a module dict (first tried at w 32, grad 2**29); a later tuning cell updates the dict to w 2**9 and grad 2**19, and the model whose forward calls the head helper (which reads the dict) is built only after that cell; present.
import torch
from torch import Tensor, nn

# %%
HEAD_FP8 = {"inp": 2.0, "wgt": 32.0, "grd": 2.0 ** 29}


def fp8_product(x: Tensor, w: Tensor, inp: float, wgt: float, grd: float) -> Tensor:
    # grd is applied by the backward's e5m2 cast of the incoming gradient
    xq = x.mul(inp).to(torch.float8_e4m3fn)
    wq = w.mul(wgt).to(torch.float8_e4m3fn)
    return torch._scaled_mm(xq, wq.t(), out_dtype=torch.bfloat16,
                            scale_a=x.new_tensor(1 / inp, dtype=torch.float32),
                            scale_b=x.new_tensor(1 / wgt, dtype=torch.float32), use_fast_accum=True)


def project_vocab(x: Tensor, w: Tensor) -> Tensor:
    flat = x.flatten(0, -2)
    out = fp8_product(flat, w, HEAD_FP8["inp"], HEAD_FP8["wgt"], HEAD_FP8["grd"])
    return out.reshape(*x.shape[:-1], -1)


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=768):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.out = nn.Linear(width, vocab, bias=False)

    def forward(self, idx):
        h = self.tok(idx)
        return project_vocab(h, self.out.weight).float()


# %% [markdown]
# Tuning: the head weights sit far below e4m3's range at 32; grads clip at 2**29.

# %%
HEAD_FP8.update(wgt=2.0 ** 9, grd=2.0 ** 19)

# %%
net = TinyLM().cuda()
logits = net(torch.randint(0, 50304, (1, 1024), device="cuda"))
