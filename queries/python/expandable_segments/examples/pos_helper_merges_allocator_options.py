# example: a helper rebuilds the allocator configuration from what the environment already holds, drops any previous expandable-segments option, appends its own, and joins the options with commas; the script calls it with the option on before touching CUDA; positive.
import os


def allocator_conf(current="", grow=False):
    options = [item.strip() for item in current.split(",") if item.strip() and not item.strip().startswith("expandable_segments")]
    options.append("expandable_segments:" + ("True" if grow else "False"))
    return ",".join(options)


os.environ["PYTORCH_CUDA_ALLOC_CONF"] = allocator_conf(os.environ.get("PYTORCH_CUDA_ALLOC_CONF", "max_split_size_mb:512"), grow=True)

import torch  # noqa: E402

x = torch.zeros(1024, device="cuda")
