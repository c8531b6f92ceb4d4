# example: torch.optim.Muon momentum set each step to min(0.95, 0.85 + step * 0.1 / 500) in a loop over its param_groups; positive (library Muon, min-capped linear ramp).
import torch

weights = [torch.nn.Parameter(torch.randn(768, 768)) for _ in range(4)]
muon = torch.optim.Muon(weights, lr=0.05, momentum=0.95)
for step in range(2000):
    sum(w.square().sum() for w in weights).backward()
    for group in muon.param_groups:
        group["momentum"] = min(0.95, 0.85 + step * 0.1 / 500)
    muon.step()
    muon.zero_grad(set_to_none=True)
