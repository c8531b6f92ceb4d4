import torch


def newton_schulz5(G, steps=5, eps=1e-7):
    """Quintic Newton-Schulz iteration returning an approximately orthogonal matrix."""
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    X /= X.norm() + eps
    transposed = G.size(0) > G.size(1)
    if transposed:
        X = X.T
    for _ in range(steps):
        gram = X @ X.T
        poly = b * gram + c * gram @ gram
        X = a * X + poly @ X
    return X.T if transposed else X


class Muon(torch.optim.Optimizer):

    def __init__(self, params, lr=0.02, momentum=0.95, nesterov=True, ns_steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = torch.zeros_like(g)
                buf = state["momentum_buffer"]
                buf.mul_(group["momentum"]).add_(g)
                if group["nesterov"]:
                    g = g.add(buf, alpha=group["momentum"])
                else:
                    g = buf
                g = newton_schulz5(g, steps=group["ns_steps"])
                g *= max(1.0, p.size(0) / p.size(1)) ** 0.5
                p.add_(g.type_as(p), alpha=-group["lr"])


def build_optimizers(model, embed_lr=0.3, head_lr=0.002, matrix_lr=0.02, betas=(0.9, 0.95)):
    """Token embedding and output matrix get their own Adam instances; every
    2-D weight inside the transformer layers goes to Muon."""
    emb_opt = torch.optim.Adam([model.tok_emb.weight], lr=embed_lr, betas=betas)
    head_opt = torch.optim.Adam([model.output.weight], lr=head_lr, betas=betas)
    hidden = [p for p in model.layers.parameters() if p.ndim == 2]
    muon_opt = Muon(hidden, lr=matrix_lr, momentum=0.95)
    return [emb_opt, head_opt, muon_opt]
