# example: a storage policy maps module classes to dtypes ({nn.Embedding: torch.bfloat16}); a helper walks the policy's rows and casts each module that is an instance of a row's class to that row's dtype (for cls, dt in policy.items(): if isinstance(mod, cls): mod.to(dt)); nothing casts the whole model; positive.
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, vocab=1000, d=64):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.mix = nn.Parameter(torch.tensor([1.0, 0.0]))
        self.body = nn.Linear(d, d, bias=False)
        self.out = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        x = self.tok(idx).float()
        x = self.mix[0] * x + self.mix[1] * self.body(x)
        return self.out(x)


def apply_storage_policy(net, policy):
    for mod in net.modules():
        for cls, dt in policy.items():
            if isinstance(mod, cls):
                mod.to(dt)
    return net


net = apply_storage_policy(Net(), {nn.Embedding: torch.bfloat16})
print(net(torch.randint(0, 1000, (2, 8))).shape)
