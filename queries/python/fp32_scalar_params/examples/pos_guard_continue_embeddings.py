# example: the model stays fp32; a loop over model.modules() skips every module that is not an embedding with `if not isinstance(m, nn.Embedding): continue` and casts the rest with m.bfloat16(); positive (guard clause selecting the embeddings).
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
    if not isinstance(m, nn.Embedding):
        continue
    m.bfloat16()
print({n: p.dtype for n, p in net.named_parameters()})
