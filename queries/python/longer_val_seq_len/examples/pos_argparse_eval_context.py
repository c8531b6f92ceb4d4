# example: argparse sets a training context of 65536 and a separate eval context of 262144 that the evaluation slicer uses; longer validation sequences under other names.
import argparse

import torch

p = argparse.ArgumentParser()
p.add_argument("--context", type=int, default=65536)
p.add_argument("--eval_context", type=int, default=262144)
opt, _ = p.parse_known_args()


@torch.no_grad()
def eval_loss(model, val_tokens: torch.Tensor, rank: int, world: int, budget: int):
    span = opt.eval_context
    steps = budget // (span * world)
    total = torch.zeros((), device="cuda")
    for s in range(steps):
        start = (s * world + rank) * span
        chunk = val_tokens[start:start + span + 1].cuda()
        total += model(chunk[:-1].int(), chunk[1:].long())
    return total / steps


def train_slice(tokens, step, rank, world):
    start = (step * world + rank) * opt.context
    return tokens[start:start + opt.context + 1]
