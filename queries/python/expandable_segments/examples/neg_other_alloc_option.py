# example: the allocator config only sets max_split_size_mb; expandable segments stay off, so NOT present.
import os

os.environ["PYTORCH_CUDA_ALLOC_CONF"] = "max_split_size_mb:512"
import torch


def report():
    stats = torch.cuda.memory_stats()
    print("segments:", stats.get("segment.all.current", 0))
    print(torch.cuda.memory_summary(abbreviated=True))


if __name__ == "__main__":
    buf = torch.empty(256, 1024, 1024, dtype=torch.uint8, device="cuda")
    report()
