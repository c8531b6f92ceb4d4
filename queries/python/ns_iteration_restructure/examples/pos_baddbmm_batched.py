# example: batched regrouped step with torch.baddbmm for both the Gram polynomial and the update, coefficients unpacked from a module tuple; positive (baddbmm spelling).
import torch

NS_COEFFS = (3.4445, -4.7750, 2.0315)


def orthogonalize_batch(G: torch.Tensor, steps: int = 5) -> torch.Tensor:
    a, b, c = NS_COEFFS
    X = G.bfloat16()
    X = X / (X.norm(dim=(-2, -1), keepdim=True) + 1e-7)
    for _ in range(steps):
        A = torch.bmm(X, X.transpose(-2, -1))
        B = torch.baddbmm(A, A, A, beta=b, alpha=c)
        X = torch.baddbmm(X, B, X, beta=a)
    return X


@torch.no_grad()
def muon_update(stacked, buf, lr=0.05, beta=0.95):
    buf.lerp_(stacked.grad, 1 - beta)
    stacked.add_(orthogonalize_batch(stacked.grad.lerp(buf, beta)).type_as(stacked), alpha=-lr)
