# example: the env var is set to expandable_segments:False and the True spelling appears only in a comment and a help string; NOT present (near miss for a text matcher).
import os

# on H100 nodes one could use PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True
os.environ["PYTORCH_CUDA_ALLOC_CONF"] = "expandable_segments:False"
USAGE = "set PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True yourself if memory fragments"

import torch

if __name__ == "__main__":
    print(USAGE)
    t = torch.zeros(1024, device="cuda")
    print(t.sum().item())
