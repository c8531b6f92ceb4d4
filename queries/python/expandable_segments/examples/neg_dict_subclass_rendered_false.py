# example: near miss - the same self-rendering dict subclass, but built with expandable_segments=False, so the allocator keeps fixed segments; negative.
import os


class AllocatorOptions(dict):
    variable = "PYTORCH_CUDA_ALLOC_CONF"

    def __str__(self):
        return ",".join(f"{key}:{value}" for key, value in self.items())

    def export(self):
        os.environ[self.variable] = str(self)


AllocatorOptions(expandable_segments=False, max_split_size_mb=512).export()

import torch

x = torch.zeros(16, device="cuda")
