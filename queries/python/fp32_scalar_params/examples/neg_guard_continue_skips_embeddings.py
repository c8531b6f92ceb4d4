# example: near miss - the loop over model.modules() skips the embeddings with `if isinstance(m, nn.Embedding): continue` and casts every other module with m.bfloat16(); negative (linears and scalars go to bf16, embeddings stay fp32).
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(50304, 512)
        self.values = nn.ModuleList(nn.Embedding(50304, 512) for _ in range(3))
        self.layers = nn.ModuleList(nn.Linear(512, 512, bias=False) for _ in range(8))
        self.gains = nn.Parameter(torch.full((8, 2), 0.5))


net = Net().cuda()
for m in net.modules():
    if isinstance(m, nn.Embedding):
        continue
    m.bfloat16()
print({n: p.dtype for n, p in net.named_parameters()})
