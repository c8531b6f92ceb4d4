# example: the optimizer factory passes its eps parameter (default 1e-8) to AdamW; 1e-10 is only the default of a helper's parameter of the same name; negative.
import torch
import torch.nn as nn


def _newton_schulz(G, steps=5, eps=1e-10):
    return G / (G.norm() + eps)


def create_optimizer(model, opt="adamw", lr=0.0018, betas=(0.9, 0.95), eps=1e-8):
    opt = opt.lower()
    if opt == "adamw":
        return torch.optim.AdamW(model.parameters(), lr=lr, betas=betas, eps=eps)
    raise ValueError(opt)


model = nn.Linear(8, 8)
optimizer = create_optimizer(model, opt="adamw", lr=0.0018)
