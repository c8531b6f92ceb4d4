# example: the compute dtype chosen by name from an environment knob with a string default ("bfloat16") held in a dict entry and resolved with getattr(torch, ...), the master dtype getattr(torch, "float32"); the model is cast to the compute dtype and the casting linears put back to the master dtype; no autocast; positive.
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

_PLAN = dict(compute=os.environ.get("ACT_DTYPE", "bfloat16"), layout="rowwise")
ACT_DTYPE = getattr(torch, _PLAN["compute"])
MASTER_DTYPE = getattr(torch, "float32")


class WeightCastLinear(nn.Linear):
    def forward(self, x):
        w = self.weight.to(dtype=x.dtype)
        return F.linear(x, w)


class GPT(nn.Module):
    def __init__(self, vocab=50304, width=768):
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.fc = WeightCastLinear(width, 4 * width, bias=False)
        self.proj = WeightCastLinear(4 * width, width, bias=False)
        self.lm_head = WeightCastLinear(width, vocab, bias=False)

    def forward(self, idx, targets):
        x = self.wte(idx)
        x = x + self.proj(F.relu(self.fc(x)).square())
        logits = self.lm_head(F.rms_norm(x, (x.size(-1),))).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


model = GPT().cuda().to(dtype=ACT_DTYPE)
for mod in model.modules():
    if isinstance(mod, WeightCastLinear):
        mod.to(dtype=MASTER_DTYPE)
idx = torch.randint(0, 50304, (1, 1024), device="cuda")
loss = model(idx, idx)
loss.backward()
