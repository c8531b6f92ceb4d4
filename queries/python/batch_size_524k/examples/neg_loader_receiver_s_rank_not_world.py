# example: near miss of the unpacking - the loader advances `s.B * s.T * s.w` with 64 x 1024, but the name handed in
# as `w` is unpacked from "LOCAL_RANK" (the keys come in another order than the names), not the world size, so no
# 524,288-token step follows; NOT present.
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


rk, ws, wsz = (int(os.environ[k]) for k in ("RANK", "LOCAL_RANK", "WORLD_SIZE"))
tl = DL("train.bin", H["B"], H["T"], rk, ws)
model = torch.nn.Linear(8, 8)
for st in range(H["n"]):
    x, y = tl.next_batch()
    model(x.float()).sum().backward()
