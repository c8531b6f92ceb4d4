# example: near miss - the same option-merging helper, but the script calls it with the option off, so the allocator gets expandable_segments:False; negative.
import os


def allocator_conf(current="", grow=False):
    options = [item.strip() for item in current.split(",") if item.strip() and not item.strip().startswith("expandable_segments")]
    options.append("expandable_segments:" + ("True" if grow else "False"))
    return ",".join(options)


os.environ["PYTORCH_CUDA_ALLOC_CONF"] = allocator_conf(os.environ.get("PYTORCH_CUDA_ALLOC_CONF", "max_split_size_mb:512"), grow=False)

import torch  # noqa: E402

x = torch.zeros(1024, device="cuda")
