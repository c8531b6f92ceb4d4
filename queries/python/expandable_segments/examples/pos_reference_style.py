# example: PYTORCH_CUDA_ALLOC_CONF is set to expandable_segments:True through os.environ before torch is imported; present.
import os
import sys

with open(sys.argv[0]) as f:
    code = f.read()
os.environ["PYTORCH_CUDA_ALLOC_CONF"] = "expandable_segments:True"
import torch
import torch.distributed as dist

local_rank = int(os.environ.get("LOCAL_RANK", 0))
torch.cuda.set_device(local_rank)
dist.init_process_group(backend="nccl")
x = torch.empty(1 << 20, device="cuda")
print(f"allocated {torch.cuda.memory_allocated() // 2**20} MiB")
