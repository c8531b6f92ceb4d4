# example: an argparse default of 49152 tokens sets each GPU's training slice and the loop runs more steps; same 48K per-device batch with a literal.
import argparse

import torch

ap = argparse.ArgumentParser()
ap.add_argument("--train_seq_len", type=int, default=49152)
ap.add_argument("--steps", type=int, default=1770)
cfg, _ = ap.parse_known_args()


def train(model, stream: torch.Tensor, opt, rank: int, world: int):
    span = cfg.train_seq_len
    offset = rank * span
    for step in range(cfg.steps):
        chunk = stream[offset: offset + span + 1]
        x, y = chunk[:-1].cuda().int(), chunk[1:].cuda().long()
        model(x, y).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        offset += world * span
