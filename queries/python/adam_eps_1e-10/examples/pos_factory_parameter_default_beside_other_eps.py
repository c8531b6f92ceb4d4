# example: an optimizer factory passes its own eps parameter (default 1e-10) to AdamW, while a Newton-Schulz helper elsewhere has a parameter of the same name defaulting to 1e-7; positive.
import torch
import torch.nn as nn


def _newton_schulz(G, steps=5, eps=1e-7):
    return G / (G.norm() + eps)


def create_optimizer(model, opt="adamw", lr=0.0018, betas=(0.9, 0.95), eps=1e-10):
    opt = opt.lower()
    if opt == "adamw":
        return torch.optim.AdamW(model.parameters(), lr=lr, betas=betas, eps=eps)
    raise ValueError(opt)


model = nn.Linear(8, 8)
optimizer = create_optimizer(model, opt="adamw", lr=0.0018)
