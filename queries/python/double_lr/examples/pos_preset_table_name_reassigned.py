# example: learning rates come from a table of presets picked by a name that is set to "base" and then, before anything reads it, to "hot" (emb 0.6, head 0.008, Muon 0.04, scalars 0.04); positive.
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


PRESETS = {
    "base": dict(emb=0.3, head=0.002, mat=0.02, sc=0.02),
    "hot": dict(emb=0.6, head=0.008, mat=0.04, sc=0.04),
}
preset = "base"
momentum = 0.95
preset = "hot"
rates = PRESETS[preset]

model = GPT()
block_params = list(model.transformer.h.parameters())
matrices = [t for t in block_params if t.ndim == 2]
scalars = [t for t in block_params if t.ndim < 2] + [model.skip_weights]
opt_embed = torch.optim.Adam([model.transformer.wte.weight], lr=rates["emb"], betas=(0.9, 0.95), fused=True)
opt_head = torch.optim.Adam([model.lm_head.weight], lr=rates["head"], betas=(0.9, 0.95), fused=True)
opt_muon = Muon(matrices, lr=rates["mat"], momentum=momentum)
opt_scalar = torch.optim.Adam(scalars, lr=rates["sc"], betas=(0.9, 0.95), fused=True)
all_optimizers = (opt_embed, opt_head, opt_muon, opt_scalar)
