# example: model.apply casts just the nn.Embedding submodules with .to(torch.bfloat16) and nothing casts the whole model; same mixed-precision split, other call.
import torch
import torch.nn as nn


def embeddings_to_bf16(module: nn.Module):
    if isinstance(module, nn.Embedding):
        module.to(dtype=torch.bfloat16)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(50304, 512)
        self.values = nn.ModuleList(nn.Embedding(50304, 512) for _ in range(3))
        self.layers = nn.ModuleList(nn.Linear(512, 512, bias=False) for _ in range(8))
        self.gains = nn.Parameter(torch.full((8, 2), 0.5))


net = Net().to("cuda")
net.apply(embeddings_to_bf16)
print({n: p.dtype for n, p in net.named_parameters() if p.ndim < 2})
