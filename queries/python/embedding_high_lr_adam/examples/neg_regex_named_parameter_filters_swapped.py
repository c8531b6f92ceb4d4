# example: the same regular-expression and `startswith` filters over `named_parameters()`, but the rates are swapped (embedding at 0.002, head at 0.3); negative.
import re
import torch
import torch.nn as nn


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(wte=nn.Embedding(50304, 768),
                                              h=nn.ModuleList([nn.Linear(768, 768) for _ in range(4)])))
        self.lm_head = nn.Linear(768, 50304, bias=False)

    def forward(self, idx):
        x = self.transformer.wte(idx)
        for block in self.transformer.h:
            x = x + block(x)
        return self.lm_head(x)


model = GPT()
embed_params = [p for n, p in model.named_parameters() if re.search(r"^transformer\.wte\.", n)]
head_params = [p for n, p in model.named_parameters() if n.startswith("lm_head")]
body_params = [p for n, p in model.named_parameters() if re.search(r"^transformer\.h\.", n)]
optimizers = [
    torch.optim.Adam(embed_params, lr=0.002, betas=(0.9, 0.95)),
    torch.optim.Adam(head_params, lr=0.3, betas=(0.9, 0.95)),
    torch.optim.SGD(body_params, lr=0.02, momentum=0.9),
]
for step in range(3):
    model(torch.randint(0, 50304, (2, 8))).float().logsumexp(-1).mean().backward()
    for opt in optimizers:
        opt.step()
        opt.zero_grad(set_to_none=True)
