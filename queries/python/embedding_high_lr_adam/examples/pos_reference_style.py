# example: three optimizers - Adam on transformer.wte.weight at 0.3, Adam on lm_head.weight at 0.002, Muon on the blocks at 0.02; positive.
import torch
import torch.nn as nn


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                U, _, Vh = torch.linalg.svd(p.grad + group["momentum"] * buf, full_matrices=False)
                p.add_(U @ Vh, alpha=-group["lr"])


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n_layer=12):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab, d),
            h=nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(n_layer)),
        ))
        self.lm_head = nn.Linear(d, vocab, bias=False)


gpt = GPT()
embed_opt = torch.optim.Adam([gpt.transformer.wte.weight], lr=0.3, betas=(0.9, 0.95), fused=True)
head_opt = torch.optim.Adam([gpt.lm_head.weight], lr=0.002, betas=(0.9, 0.95), fused=True)
hidden_opt = Muon(gpt.transformer.h.parameters(), lr=0.02, momentum=0.95)
opts = [embed_opt, head_opt, hidden_opt]
