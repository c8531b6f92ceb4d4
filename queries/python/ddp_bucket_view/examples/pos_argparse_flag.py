# example: an argparse default turns on gradient_as_bucket_view, passed to DDP together with broadcast_buffers=False; the bucket view reaches DDP through a flag.
import argparse
import os

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP

parser = argparse.ArgumentParser()
parser.add_argument("--bucket_view", type=int, default=1)
opts, _ = parser.parse_known_args()

rank = int(os.environ.get("LOCAL_RANK", 0))
net = nn.Linear(1024, 1024).cuda(rank)
net = DDP(net, device_ids=[rank], broadcast_buffers=False, gradient_as_bucket_view=bool(opts.bucket_view))
