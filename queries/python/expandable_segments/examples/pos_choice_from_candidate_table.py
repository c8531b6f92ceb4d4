# example: the allocator setting is picked from a table of candidate strings by a key that is set to "gc" and then overwritten with "segs" before the write, so os.environ gets "expandable_segments:True"; positive.
import os

ALLOC_OPTIONS = {
    "gc": "garbage_collection_threshold:0.6",
    "segs": "expandable_segments:True",
}
choice = "gc"
choice = "segs"
os.environ["PYTORCH_CUDA_ALLOC_CONF"] = ALLOC_OPTIONS[choice]

import torch  # noqa: E402

model = torch.nn.Linear(256, 256).cuda()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for _ in range(10):
    model(torch.randn(8, 256, device="cuda")).square().mean().backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
