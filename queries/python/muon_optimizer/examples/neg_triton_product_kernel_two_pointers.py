# example: near miss - the same buffered loop and Triton product kernel, but the kernel multiplies the update by a
# fixed random projection (two different pointers), so no Gram matrix of the iterate is ever formed: a sketched
# smoothing, not an orthogonalization; negative.
import torch
import triton
import triton.language as tl


@triton.jit
def gram_kernel(x_ptr, p_ptr, c_ptr, M, K, stride_r, stride_c, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr):
    pid_m = tl.program_id(0)
    pid_n = tl.program_id(1)
    rows = pid_m * BM + tl.arange(0, BM)
    cols = pid_n * BN + tl.arange(0, BN)
    ks = tl.arange(0, BK)
    left = x_ptr + rows[:, None] * stride_r + ks[None, :] * stride_c
    right = p_ptr + ks[:, None] * stride_c + cols[None, :] * stride_r
    acc = tl.zeros((BM, BN), dtype=tl.float32)
    for k in range(0, tl.cdiv(K, BK)):
        lhs = tl.load(left, mask=ks[None, :] < K - k * BK, other=0.0)
        rhs = tl.load(right, mask=ks[:, None] < K - k * BK, other=0.0)
        acc = tl.dot(lhs, rhs, acc)
        left += BK * stride_c
        right += BK * stride_c
    tl.store(c_ptr + rows[:, None] * M + cols[None, :], acc.to(c_ptr.dtype.element_ty), mask=(rows[:, None] < M) & (cols[None, :] < M))


def gram_into(x, proj, out):
    m, k = x.shape
    grid = (triton.cdiv(m, 64), triton.cdiv(m, 64))
    gram_kernel[grid](x, proj, out, m, k, x.stride(0), x.stride(1), BM=64, BN=64, BK=32)
    return out


COEFFS = [(8.15, -22.48, 15.87), (4.04, -2.80, 0.50), (3.89, -2.77, 0.50), (3.28, -2.36, 0.46), (2.34, -1.70, 0.42)]


def polar(G):
    X = G.bfloat16()
    X = X / (X.norm() * 1.02 + 1e-6)
    A = torch.empty(X.size(0), X.size(0), device=X.device, dtype=X.dtype)
    B = torch.empty_like(A)
    C = torch.empty_like(X)
    P = torch.randn(X.size(1), X.size(0), device=X.device, dtype=X.dtype)
    for a, b, c in COEFFS:
        gram_into(X, P, out=A)
        torch.addmm(A, A, A, beta=b, alpha=c, out=B)
        torch.addmm(X, B, X, beta=a, out=C)
        X, C = C, X
    return X


class PolarSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.lerp_(p.grad, 1 - group["momentum"])
                p.add_(polar(p.grad.lerp(buf, group["momentum"])).type_as(p), alpha=-group["lr"])


weights = [torch.nn.Parameter(torch.randn(768, 768, device="cuda")) for _ in range(4)]
opt = PolarSGD(weights)
