# example: near miss - the same range walk over shards with 32 x 1024-token batches on 8 GPUs: 262,144 tokens per
# step, not 524,288; negative.
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
for x, y in fetch(os.environ["TRAIN_FILES"], 32, 1024, rank, world):
    model(x).float().mean().backward()
    opt.step()
    opt.zero_grad()
