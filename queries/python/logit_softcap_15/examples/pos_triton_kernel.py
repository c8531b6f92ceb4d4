# example: a @triton.jit kernel computes CAP * tanh(x / CAP) (tanh via exp) and the model calls it with CAP=15 on its logits; the fused-kernel spelling of soft-cap 15.
import torch
import triton
import triton.language as tl

LOGIT_CAP = 15.0


@triton.jit
def softcap_kernel(x_ptr, out_ptr, n, CAP: tl.constexpr, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    live = offs < n
    x = tl.load(x_ptr + offs, mask=live).to(tl.float32)
    z = x / CAP
    e = tl.exp(-2.0 * tl.abs(z))
    t = (1.0 - e) / (1.0 + e)
    t = tl.where(z < 0, -t, t)
    tl.store(out_ptr + offs, CAP * t, mask=live)


def capped_logits(logits: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(logits, dtype=torch.float32)
    n = logits.numel()
    softcap_kernel[(triton.cdiv(n, 1024),)](logits, out, n, CAP=LOGIT_CAP, BLOCK=1024)
    return out


def loss_fn(hidden, lm_head_weight, targets):
    logits = hidden @ lm_head_weight.T
    return torch.nn.functional.cross_entropy(capped_logits(logits).view(-1, logits.size(-1)), targets.view(-1))
