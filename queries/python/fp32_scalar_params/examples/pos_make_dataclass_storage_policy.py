# example: the low-precision module types and dtype live in a `dataclasses.make_dataclass` class whose field defaults
# are `field(default=...)`; the model stays fp32 and only embeddings are cast to the policy's dtype; positive.
import dataclasses
import torch
import torch.nn as nn

Policy = dataclasses.make_dataclass(
    "Policy",
    [("kinds", tuple, dataclasses.field(default=(nn.Embedding,))), ("dtype", torch.dtype, dataclasses.field(default=torch.bfloat16))],
    frozen=True,
)
POLICY = Policy()


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(50304, 512)
        self.h = nn.ModuleList(nn.Linear(512, 512, bias=False) for _ in range(8))
        self.skip = nn.Parameter(torch.ones(4))


model = Net().cuda()
for m in model.modules():
    if isinstance(m, POLICY.kinds):
        m.to(POLICY.dtype)
