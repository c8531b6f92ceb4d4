# example: a helper appends its option (default "expandable_segments:True") to whatever PYTORCH_CUDA_ALLOC_CONF already holds, through a local and a conditional f-string, and is called with no arguments before torch starts; positive.
import os


def add_allocator_option(option: str = "expandable_segments:True") -> str:
    merged = os.environ.get("PYTORCH_CUDA_ALLOC_CONF", "")
    if option not in merged:
        merged = f"{merged},{option}" if merged else option
        os.environ["PYTORCH_CUDA_ALLOC_CONF"] = merged
    return merged


add_allocator_option()

import torch  # noqa: E402

print(torch.zeros(4).sum())
