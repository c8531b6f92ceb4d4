# example: SequentialLR chains ConstantLR with LinearLR(end_factor=args.lr_floor) where an argparse default sets the floor to 0.1; a library spelling of the 0.1 cooldown floor.
import argparse

import torch
from torch.optim.lr_scheduler import ConstantLR, LinearLR, SequentialLR

ap = argparse.ArgumentParser()
ap.add_argument("--steps", type=int, default=1400)
ap.add_argument("--cooldown_frac", type=float, default=0.4)
ap.add_argument("--lr_floor", type=float, default=0.1)
cfg, _ = ap.parse_known_args()


def build_scheduler(opt: torch.optim.Optimizer):
    cooldown = int(cfg.steps * cfg.cooldown_frac)
    stable = cfg.steps - cooldown
    hold = ConstantLR(opt, factor=1.0, total_iters=stable)
    decay = LinearLR(opt, start_factor=1.0, end_factor=cfg.lr_floor, total_iters=cooldown)
    return SequentialLR(opt, schedulers=[hold, decay], milestones=[stable])
