# example: the same Triton axpby, but the step keeps the older grouping: B = A @ X, then X = a * X + (b * B + c * A @ B), two products reaching X; negative.
import torch
import triton
import triton.language as tl


@triton.jit
def _axpby(u_ptr, w_ptr, out_ptr, numel, p, q, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    ok = offs < numel
    u = tl.load(u_ptr + offs, mask=ok, other=0.0).to(tl.float32)
    w = tl.load(w_ptr + offs, mask=ok, other=0.0).to(tl.float32)
    tl.store(out_ptr + offs, (p * u + q * w).to(out_ptr.dtype.element_ty), mask=ok)


def axpby(u, w, p, q):
    u, w = u.contiguous(), w.contiguous()
    out = torch.empty_like(u)
    _axpby[(triton.cdiv(u.numel(), 2048),)](u, w, out, u.numel(), p, q, BLOCK=2048)
    return out


def orthogonalize(grad, rounds=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = grad.bfloat16() / (grad.norm() + 1e-7)
    for _ in range(rounds):
        A = X @ X.T
        B = A @ X
        X = axpby(X, axpby(B, A @ B, b, c), a, 1.0)
    return X


def muon_update(weight, momentum):
    weight.data.add_(orthogonalize(momentum), alpha=-0.02)
