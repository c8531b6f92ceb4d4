# example: the model class still ties wte and lm_head in __init__, but the script replaces the token table with a fresh nn.Embedding right after building the model, so the two matrices are separate for the whole run; positive (tie undone from outside).
import torch
import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab, d),
            h=nn.ModuleList([nn.Linear(d, d, bias=False) for _ in range(n)]),
        ))
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.transformer.wte.weight = self.lm_head.weight

    def forward(self, idx):
        x = self.transformer.wte(idx)
        for layer in self.transformer.h:
            x = x + F.relu(layer(F.rms_norm(x, (x.size(-1),))))
        return self.lm_head(F.rms_norm(x, (x.size(-1),))).float()


model = GPT()
model.transformer.wte = nn.Embedding(50304, 768)
model = model.cuda()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
logits = model(torch.randint(0, 50304, (2, 64), device="cuda"))
F.cross_entropy(logits.view(-1, logits.size(-1)), torch.zeros(128, dtype=torch.long, device="cuda")).backward()
opt.step()
