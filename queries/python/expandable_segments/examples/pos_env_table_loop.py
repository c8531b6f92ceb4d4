# example: environment variables kept in a config table and written by a loop over its items before torch is imported; positive.
import os

SPEC = {"env": {"PYTORCH_CUDA_ALLOC_CONF": "expandable_segments:True", "NCCL_DEBUG": "WARN"}}

for key, value in SPEC["env"].items():
    os.environ[key] = value

import torch
