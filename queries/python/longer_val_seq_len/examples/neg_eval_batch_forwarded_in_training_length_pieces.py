# example: the evaluation loader reads 262144 tokens per rank, four times the training context, but the batch is split into 65536-token pieces and each piece is forwarded on its own: the model never reads a longer sequence; negative.
import argparse

import torch

p = argparse.ArgumentParser()
p.add_argument("--context", type=int, default=65536)
p.add_argument("--eval_tokens_per_rank", type=int, default=262144)
opt, _ = p.parse_known_args()


@torch.no_grad()
def eval_loss(model, val_tokens: torch.Tensor, rank: int, world: int, budget: int):
    span = opt.eval_tokens_per_rank
    steps = budget // (span * world)
    pieces = span // opt.context
    total = torch.zeros((), device="cuda")
    for s in range(steps):
        start = (s * world + rank) * span
        chunk = val_tokens[start:start + span + 1].cuda()
        inputs, targets = chunk[:-1].int(), chunk[1:].long()
        for xi, yi in zip(inputs.split(opt.context), targets.split(opt.context)):
            total += model(xi, yi) / pieces
    return total / steps


def train_slice(tokens, step, rank, world):
    start = (step * world + rank) * opt.context
    return tokens[start:start + opt.context + 1]
