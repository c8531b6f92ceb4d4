# example: terse style; the loader's methods call their instance `s`, it is built with the world size as its fifth
# argument (`DL(files, B, T, rank, world)`), unpacked with the rank from a generator over the environment keys, and
# advances `s.B * s.T * s.w` = 64 x 1024 x 8 = 524,288 tokens per step; positive.
import os
import numpy as np
import torch

H = dict(B=64, T=1024, n=9536)


class DL:
    def __init__(s, pat, B, T, r, w):
        s.r, s.w, s.B, s.T = r, w, B, T
        s.t = np.fromfile(pat, dtype=np.uint16); s.p = r * B * T

    def next_batch(s):
        b = torch.tensor(s.t[s.p:s.p + s.B * s.T + 1].astype(np.int64))
        s.p += s.B * s.T * s.w
        return b[:-1].view(s.B, s.T), b[1:].view(s.B, s.T)


rk, ws = (int(os.environ[k]) for k in ("RANK", "WORLD_SIZE"))
tl = DL("train.bin", H["B"], H["T"], rk, ws)
model = torch.nn.Linear(8, 8)
for st in range(H["n"]):
    x, y = tl.next_batch()
    model(x.float()).sum().backward()
