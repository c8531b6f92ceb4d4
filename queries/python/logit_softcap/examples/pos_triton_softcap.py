# example: a @triton.jit kernel computes cap * tanh(x / cap) elementwise (tanh via 2*sigmoid(2u) - 1) and the model calls it on the logits before the loss; positive (fused kernel).
import torch
import torch.nn as nn
import torch.nn.functional as F
import triton
import triton.language as tl


@triton.jit
def softcap_kernel(x_ptr, y_ptr, n, cap, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    m = offs < n
    x = tl.load(x_ptr + offs, mask=m).to(tl.float32)
    u = x / cap
    t = 2.0 * tl.sigmoid(2.0 * u) - 1.0
    tl.store(y_ptr + offs, cap * t, mask=m)


def soft_cap(logits: torch.Tensor, cap: float = 30.0) -> torch.Tensor:
    src = logits.contiguous()
    out = torch.empty(src.shape, device=src.device, dtype=torch.float32)
    softcap_kernel[(triton.cdiv(src.numel(), 2048),)](src, out, src.numel(), cap, BLOCK=2048)
    return out


class LM(nn.Module):
    def __init__(self, vocab=50304, d=768):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.head = nn.Linear(d, vocab, bias=False)

    def forward(self, ids, targets):
        logits = soft_cap(self.head(self.emb(ids)))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
