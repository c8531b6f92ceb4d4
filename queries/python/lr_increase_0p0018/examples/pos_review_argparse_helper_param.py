# example: argparse --learning-rate default 1.8e-3 flows through a build_optimizer(model, lr) helper parameter into AdamW; positive (value reaches the optimizer through a function parameter).
import argparse

import torch
import torch.nn as nn


def get_args():
    parser = argparse.ArgumentParser(description="gpt2 speedrun")
    parser.add_argument("--learning-rate", type=float, default=1.8e-3)
    parser.add_argument("--weight-decay", type=float, default=0.0)
    parser.add_argument("--steps", type=int, default=5100)
    return parser.parse_args()


def build_optimizer(model: nn.Module, lr: float, wd: float) -> torch.optim.Optimizer:
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.95), eps=1e-8)


def main():
    args = get_args()
    model = nn.Sequential(nn.Embedding(50257, 768), nn.Linear(768, 50257, bias=False))
    optimizer = build_optimizer(model, args.learning_rate, args.weight_decay)
    for step in range(args.steps):
        tokens = torch.randint(0, 50257, (4, 64))
        loss = nn.functional.cross_entropy(model(tokens).flatten(0, 1), tokens.flatten())
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)


if __name__ == "__main__":
    main()
