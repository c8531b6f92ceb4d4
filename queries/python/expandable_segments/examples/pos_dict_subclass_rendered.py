# example: a dict subclass built with expandable_segments=True renders itself as "key:value" pairs in __str__, and str(self) is written to PYTORCH_CUDA_ALLOC_CONF; positive.
import os


class AllocatorOptions(dict):
    variable = "PYTORCH_CUDA_ALLOC_CONF"

    def __str__(self):
        return ",".join(f"{key}:{value}" for key, value in self.items())

    def export(self):
        os.environ[self.variable] = str(self)


AllocatorOptions(expandable_segments=True).export()

import torch

x = torch.zeros(16, device="cuda")
