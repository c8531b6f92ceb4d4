# example: the old optimizer builder is kept beside the new one but nothing calls it; the builder that runs gives the doubled rates (emb 0.6, head 0.008, Muon 0.04, scalars 0.04); positive.
import torch
import torch.nn as nn


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                U, _, Vh = torch.linalg.svd(buf, full_matrices=False)
                p.add_(U @ Vh, alpha=-group["lr"])


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(wte=nn.Embedding(vocab, d),
                                              h=nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(n))))
        self.skip_weights = nn.Parameter(torch.ones(n // 2))
        self.lm_head = nn.Linear(d, vocab, bias=False)



model = GPT()
block_params = list(model.transformer.h.parameters())
matrices = [t for t in block_params if t.ndim == 2]
scalars = [t for t in block_params if t.ndim < 2] + [model.skip_weights]


def build_optimizers_old():
    # kept for reference; no longer called
    return [torch.optim.Adam([model.transformer.wte.weight], lr=0.3, betas=(0.9, 0.95), fused=True),
            torch.optim.Adam([model.lm_head.weight], lr=0.002, betas=(0.9, 0.95), fused=True),
            Muon(matrices, lr=0.02, momentum=0.95),
            torch.optim.Adam(scalars, lr=0.02, betas=(0.9, 0.95), fused=True)]


def build_optimizers():
    return [torch.optim.Adam([model.transformer.wte.weight], lr=0.6, betas=(0.9, 0.95), fused=True),
            torch.optim.Adam([model.lm_head.weight], lr=0.008, betas=(0.9, 0.95), fused=True),
            Muon(matrices, lr=0.04, momentum=0.95),
            torch.optim.Adam(scalars, lr=0.04, betas=(0.9, 0.95), fused=True)]


optimizers = build_optimizers()
