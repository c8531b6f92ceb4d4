# example: the rates come from one of two tables a helper picks by a module switch, read by key through a local, but the switch is off (base rates); NOT present.
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


USE_DOUBLED = False
OLD_RATES = dict(emb=0.3, head=0.002, mat=0.02, sc=0.02)
NEW_RATES = dict(emb=0.6, head=0.008, mat=0.04, sc=0.04)


def active_rates():
    return NEW_RATES if USE_DOUBLED else OLD_RATES


model = GPT()
block_params = list(model.transformer.h.parameters())
matrices = [t for t in block_params if t.ndim == 2]
scalars = [t for t in block_params if t.ndim < 2] + [model.skip_weights]

rates = active_rates()
opt_embed = torch.optim.Adam([model.transformer.wte.weight], lr=rates["emb"], betas=(0.9, 0.95), fused=True)
opt_head = torch.optim.Adam([model.lm_head.weight], lr=rates["head"], betas=(0.9, 0.95), fused=True)
opt_muon = Muon(matrices, lr=rates["mat"], momentum=0.95)
opt_scalar = torch.optim.Adam(scalars, lr=rates["sc"], betas=(0.9, 0.95), fused=True)
