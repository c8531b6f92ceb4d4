# example: Orthogonalized-momentum optimizer: Newton-Schulz written with torch.einsum, Nesterov via torch.lerp; hidden matrices on it, embedding/head on AdamW; positive.
import torch
import torch.nn as nn


def ns_orthogonalize(M: torch.Tensor, steps: int = 5) -> torch.Tensor:
    a, b, c = 3.4445, -4.7750, 2.0315
    wide = M.shape[0] <= M.shape[1]
    X = M.to(torch.bfloat16) if wide else M.to(torch.bfloat16).transpose(0, 1)
    X = X / (torch.linalg.matrix_norm(X) + 1e-7)
    for _ in range(steps):
        gram = torch.einsum("ik,jk->ij", X, X)
        poly = b * gram + c * torch.einsum("ik,kj->ij", gram, gram)
        X = a * X + torch.einsum("ik,kj->ij", poly, X)
    return X if wide else X.transpose(0, 1)


class OrthoNesterov(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, beta=0.95, ns_steps=5):
        super().__init__(params, {"lr": lr, "beta": beta, "ns_steps": ns_steps})

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            beta = group["beta"]
            for w in group["params"]:
                if w.grad is None:
                    continue
                st = self.state[w]
                if not st:
                    st["v"] = torch.zeros_like(w)
                v = st["v"]
                torch.lerp(v, w.grad, 1 - beta, out=v)
                nesterov = torch.lerp(w.grad, v, beta)
                w.data -= group["lr"] * ns_orthogonalize(nesterov, group["ns_steps"]).to(w.dtype)


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.h = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(n))
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.lm_head.weight = self.wte.weight


model = GPT()
optimizers = [
    torch.optim.AdamW([model.wte.weight], lr=0.0018, betas=(0.9, 0.95), weight_decay=0.0),
    OrthoNesterov(model.h.parameters(), lr=0.018, beta=0.95),
]
