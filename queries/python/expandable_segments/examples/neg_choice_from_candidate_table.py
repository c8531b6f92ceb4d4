# example: near miss - the same table of candidate allocator strings holds "expandable_segments:True", but the key is set to "segs" and then overwritten with "gc" before the write, so the allocator gets the garbage-collection option; negative.
import os

ALLOC_OPTIONS = {
    "gc": "garbage_collection_threshold:0.6",
    "segs": "expandable_segments:True",
}
choice = "segs"
choice = "gc"
os.environ["PYTORCH_CUDA_ALLOC_CONF"] = ALLOC_OPTIONS[choice]

import torch  # noqa: E402

model = torch.nn.Linear(256, 256).cuda()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for _ in range(10):
    model(torch.randn(8, 256, device="cuda")).square().mean().backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
