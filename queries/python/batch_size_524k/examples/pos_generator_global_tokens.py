# example: argparse holds the global batch in tokens (8*64*1024) and a generator advances through the token stream by it each step, each rank taking its slice; positive (tokens per step = 524,288).
import argparse
import os
import torch

ap = argparse.ArgumentParser()
ap.add_argument("--global_tokens", type=int, default=8 * 64 * 1024)
ap.add_argument("--steps", type=int, default=5100)
cfg = ap.parse_args()

rank = int(os.environ.get("RANK", 0))
world = int(os.environ.get("WORLD_SIZE", 1))


def stream(tokens, batch_tokens):
    per_rank = batch_tokens // world
    pos = 0
    while True:
        chunk = tokens[pos + rank * per_rank: pos + (rank + 1) * per_rank + 1]
        yield chunk[:-1], chunk[1:]
        pos += batch_tokens


def train(model, tokens, opt):
    batches = stream(tokens, cfg.global_tokens)
    for step in range(cfg.steps):
        x, y = next(batches)
        model(x, y).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
