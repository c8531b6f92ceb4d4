# example: near miss - only the output head's gradient is divided by its norm; every other parameter keeps its raw gradient; negative.
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(16, 16), nn.Linear(16, 4))
head = model[1]
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(10):
    loss = model(torch.randn(8, 16)).square().mean()
    loss.backward()
    head_grad = head.weight.grad
    head_grad.div_(head_grad.norm() + 1e-6)
    opt.step()
    opt.zero_grad()
