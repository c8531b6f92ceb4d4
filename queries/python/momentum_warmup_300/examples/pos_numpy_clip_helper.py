# example: the warmup fraction is numpy.clip(step / WARMUP, 0, 1) with WARMUP = 300 in a helper feeding every Muon group's momentum; the 300-step ramp with a clip.
import numpy as np
from muon import Muon

WARMUP = 300

def momentum_for(step):
    frac = np.clip(step / WARMUP, 0.0, 1.0)
    return 0.85 + frac * (0.95 - 0.85)

def loop(model, muon: Muon, n):
    for step in range(n):
        for g in muon.param_groups:
            g["momentum"] = momentum_for(step)
        muon.step()
