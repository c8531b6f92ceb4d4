# example: the model hands out role groups from a method that builds the dictionary in a local and returns it; the embedding's Adam runs at a very high learning rate; positive.
import torch
import torch.nn as nn


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(50304, 768)
        self.h = nn.ModuleList([nn.Linear(768, 768) for _ in range(4)])
        self.lm_head = nn.Linear(768, 50304, bias=False)

    def param_groups_by_role(self):
        groups = {"embed": [self.wte.weight], "head": [self.lm_head.weight], "hidden": list(self.h.parameters())}
        return groups

    def forward(self, idx):
        x = self.wte(idx)
        for b in self.h:
            x = b(x)
        return self.lm_head(x)


model = GPT()
groups = model.param_groups_by_role()
opt1 = torch.optim.Adam(groups["embed"], lr=0.3, betas=(0.9, 0.95))
opt2 = torch.optim.Adam(groups["head"], lr=0.002, betas=(0.9, 0.95))
opt3 = torch.optim.SGD(groups["hidden"], lr=0.02, momentum=0.95)
for _ in range(10):
    model(torch.randint(0, 50304, (2, 16))).float().logsumexp(-1).mean().backward()
    for o in (opt1, opt2, opt3):
        o.step()
        o.zero_grad(set_to_none=True)
