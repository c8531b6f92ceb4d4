# example: os.environ.setdefault gives the allocator a comma-separated config that includes expandable_segments:True next to another option; same setting, other spelling.
import os

ALLOC_OPTIONS = ["garbage_collection_threshold:0.8", "expandable_segments:True"]
os.environ.setdefault("PYTORCH_CUDA_ALLOC_CONF", ",".join(ALLOC_OPTIONS))

import torch  # noqa: E402
from torch import nn  # noqa: E402


def main():
    model = nn.Linear(4096, 4096).cuda()
    out = model(torch.randn(64, 4096, device="cuda"))
    print(out.shape, torch.cuda.memory_reserved() // 2**20, "MiB reserved")


if __name__ == "__main__":
    main()
