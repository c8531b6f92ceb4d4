# example: the optimizer reads ckpt.get("lr", 6e-4); a variable lr = 0.0018 exists only as a local of an unrelated range-test function, which the read cannot see; negative.
import torch
import torch.nn as nn


def lr_range_test(model):
    lr = 0.0018
    probe = torch.optim.SGD(model.parameters(), lr=lr)
    return probe


model = nn.Linear(768, 768)
ckpt = torch.load("resume.pt")
opt = torch.optim.AdamW(model.parameters(), lr=ckpt.get("lr", 6e-4), weight_decay=0.1)
for _ in range(100):
    model(torch.randn(2, 768)).mean().backward()
    opt.step()
    opt.zero_grad()
