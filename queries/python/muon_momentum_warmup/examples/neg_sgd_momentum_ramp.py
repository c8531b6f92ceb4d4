# example: near miss - the same 0.85 -> 0.95 ramp is written into plain SGD's momentum; there is no orthogonalizing optimizer; negative.
import torch

weights = [torch.nn.Parameter(torch.randn(768, 768)) for _ in range(4)]
sgd = torch.optim.SGD(weights, lr=0.02, momentum=0.95, nesterov=True)
for step in range(2000):
    sum(w.square().sum() for w in weights).backward()
    frac = min(step / 500, 1)
    sgd.param_groups[0]["momentum"] = (1 - frac) * 0.85 + frac * 0.95
    sgd.step()
    sgd.zero_grad()
