# example: near miss - the same loop writes a config table of environment variables, but the allocator option is expandable_segments:False; negative.
import os

SPEC = {"env": {"PYTORCH_CUDA_ALLOC_CONF": "expandable_segments:False", "NCCL_DEBUG": "WARN"}}

for key, value in SPEC["env"].items():
    os.environ[key] = value

import torch
