# example: near miss - the same helper appends its option to PYTORCH_CUDA_ALLOC_CONF, but its one caller passes another option (garbage_collection_threshold:0.6), so the expandable_segments default never reaches the allocator; negative.
import os


def add_allocator_option(option: str = "expandable_segments:True") -> str:
    merged = os.environ.get("PYTORCH_CUDA_ALLOC_CONF", "")
    if option not in merged:
        merged = f"{merged},{option}" if merged else option
        os.environ["PYTORCH_CUDA_ALLOC_CONF"] = merged
    return merged


add_allocator_option("garbage_collection_threshold:0.6")

import torch  # noqa: E402

print(torch.zeros(4).sum())
