# example: a notebook export sets the rates in one cell (`lr_emb, lr_out, lr_orth, lr_gain = 0.3, 0.002, 0.02, 0.02`) and doubles them in a later cell (`lr_emb = 2 * lr_emb`, head 4x) before the optimizers are built; embed 0.6, head 0.008, Muon 0.04, scalars 0.04; positive.
import torch
import torch.nn as nn


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                X = p.grad / (p.grad.norm() + 1e-7)
                for _ in range(5):
                    A = X @ X.T
                    X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
                p.add_(X, alpha=-group["lr"])


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(50304, 768)
        self.blocks = nn.ModuleList([nn.Linear(768, 768) for _ in range(4)])
        self.gains = nn.Parameter(torch.ones(4))
        self.lm_head = nn.Linear(768, 50304, bias=False)

    def forward(self, idx):
        x = self.wte(idx)
        for g, block in zip(self.gains, self.blocks):
            x = x + g * block(x)
        return self.lm_head(x)


# In[3]:

model = GPT()
lr_emb, lr_out, lr_orth, lr_gain = 0.3, 0.002, 0.02, 0.02


# In[5]:

lr_emb = 2 * lr_emb
lr_out = 4 * lr_out
lr_orth = 2 * lr_orth
lr_gain = 2 * lr_gain


# In[6]:

opt_emb = torch.optim.Adam([model.wte.weight], lr=lr_emb, betas=(0.9, 0.95))
opt_out = torch.optim.Adam([model.lm_head.weight], lr=lr_out, betas=(0.9, 0.95))
opt_orth = Muon([b.weight for b in model.blocks], lr=lr_orth, momentum=0.95)
opt_gain = torch.optim.Adam([model.gains], lr=lr_gain, betas=(0.9, 0.95))
