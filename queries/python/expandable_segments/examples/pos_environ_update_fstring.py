# example: os.environ.update receives the allocator key with an f-string value built from a module flag, expandable_segments:True; the detector folds the f-string.
import os

EXPANDABLE = True
ALLOC_KEY = "PYTORCH_CUDA_ALLOC_CONF"
os.environ.update({ALLOC_KEY: f"expandable_segments:{EXPANDABLE}"})

import torch  # noqa: E402

if __name__ == "__main__":
    x = torch.randn(4096, 4096, device="cuda")
    print((x @ x).sum().item())
