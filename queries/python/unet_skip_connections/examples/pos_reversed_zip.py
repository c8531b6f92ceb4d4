# example: a functional forward zips the decoder blocks with reversed(saved) and a weight vector, adding w * s before each decoder block; positive (reversed() spelling).
import torch
import torch.nn as nn
import torch.nn.functional as F

DEPTH = 12
HALF = DEPTH // 2

blocks = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(DEPTH))
skip_w = nn.Parameter(torch.ones(HALF))


def run_stack(x: torch.Tensor) -> torch.Tensor:
    saved = []
    for blk in blocks[:HALF]:
        x = x + blk(F.rms_norm(x, (x.size(-1),)))
        saved.append(x)
    for blk, s, w in zip(blocks[HALF:], reversed(saved), skip_w):
        x = x + w * s
        x = x + blk(F.rms_norm(x, (x.size(-1),)))
    return x


out = run_stack(torch.randn(2, 16, 768))
