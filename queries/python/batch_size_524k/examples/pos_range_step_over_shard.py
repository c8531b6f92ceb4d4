# example: a generator walks each shard with range(rank * span, ..., world * span), span = 64 x 1024 tokens, on 8
# GPUs, with no gradient accumulation: 524,288 tokens per step; positive.
import glob
import os

import numpy as np
import torch
import torch.distributed as dist


def fetch(pattern, bsz, seq, rank, world):
    for path in sorted(glob.glob(pattern)):
        toks = np.fromfile(path, dtype=np.uint16, offset=1024)
        span = bsz * seq
        for s in range(rank * span, len(toks) - span - 1, world * span):
            t = torch.from_numpy(toks[s:s + span + 1].astype(np.int64)).cuda()
            yield t[:-1].view(bsz, seq), t[1:].view(bsz, seq)


dist.init_process_group("nccl")
rank, world = dist.get_rank(), dist.get_world_size()
model = torch.nn.Embedding(50304, 64).cuda()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for x, y in fetch(os.environ["TRAIN_FILES"], 64, 1024, rank, world):
    model(x).float().mean().backward()
    opt.step()
    opt.zero_grad()
