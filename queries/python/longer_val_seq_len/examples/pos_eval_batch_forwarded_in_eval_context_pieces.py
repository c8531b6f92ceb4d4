# example: the evaluation loader reads two eval contexts per rank and forwards them one at a time in pieces of the eval context (262144 tokens), four times the training context; positive.
import argparse

import torch

p = argparse.ArgumentParser()
p.add_argument("--context", type=int, default=65536)
p.add_argument("--eval_context", type=int, default=262144)
opt, _ = p.parse_known_args()


@torch.no_grad()
def eval_loss(model, val_tokens: torch.Tensor, rank: int, world: int, budget: int):
    span = 2 * opt.eval_context
    steps = budget // (span * world)
    pieces = span // opt.eval_context
    total = torch.zeros((), device="cuda")
    for s in range(steps):
        start = (s * world + rank) * span
        chunk = val_tokens[start:start + span + 1].cuda()
        inputs, targets = chunk[:-1].int(), chunk[1:].long()
        for xi, yi in zip(inputs.split(opt.eval_context), targets.split(opt.eval_context)):
            total += model(xi, yi) / pieces
    return total / steps


def train_slice(tokens, step, rank, world):
    start = (step * world + rank) * opt.context
    return tokens[start:start + opt.context + 1]
