# example: the expandable_segments:True text sits in a docstring and in an unrelated environment variable (a log tag), while the allocator config only sets garbage_collection_threshold; NOT present.
import os

"""Set PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to reduce fragmentation."""

os.environ["RUN_TAG"] = "expandable_segments:True"
os.environ["PYTORCH_CUDA_ALLOC_CONF"] = "garbage_collection_threshold:0.6"

import torch  # noqa: E402

print(torch.cuda.is_available())
