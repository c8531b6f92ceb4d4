# example: a config function whose locals are the configuration, returned as dict(locals()) and unpacked into train(**cfg); train's lr parameter gets the config function's lr = 0.0018; positive.
import torch
import torch.nn as nn


def default_config():
    lr = 0.0018
    weight_decay = 0.0
    steps = 100
    return dict(locals())


def train(lr, weight_decay, steps):
    model = nn.Linear(768, 768)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    for _ in range(steps):
        model(torch.randn(2, 768)).mean().backward()
        opt.step()
        opt.zero_grad()


if __name__ == "__main__":
    cfg = default_config()
    train(**cfg)
