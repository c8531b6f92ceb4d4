# example: both sums of the Newton-Schulz step go through a Triton axpby kernel (out = p * u + q * w) behind a small wrapper: G = axpby(A, A @ A, b, c), then X = axpby(X, G @ X, a, 1.0); positive.
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
        G = axpby(A, A @ A, b, c)
        X = axpby(X, G @ X, a, 1.0)
    return X


def muon_update(weight, momentum):
    weight.data.add_(orthogonalize(momentum), alpha=-0.02)
