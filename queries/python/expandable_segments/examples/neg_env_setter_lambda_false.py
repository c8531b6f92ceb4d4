# example: near miss - the same setter lambda (set_env = lambda k, v: os.environ.__setitem__(k, v)) writes the allocator variable, but with expandable_segments:False, and the True spelling goes to an unrelated variable; negative.
import os

set_env = lambda key, value: os.environ.__setitem__(key, value)
set_env("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:False")
set_env("RUN_TAG", "expandable_segments:True")

import torch

x = torch.zeros(4, device="cuda")
