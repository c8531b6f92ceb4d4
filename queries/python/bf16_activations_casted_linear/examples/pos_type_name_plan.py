# example: whole model cast to the plan's dtype, then the modules whose class NAME the plan lists (type(m).__name__ in keep, keep = set(plan["fp32_storage"])) put back to fp32; no autocast; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F

PLAN = {"model_dtype": "bfloat16", "fp32_storage": ["CastedLinear"]}


class CastedLinear(nn.Linear):
    def forward(self, x):
        return F.linear(x, self.weight.to(x.dtype))


class Net(nn.Module):
    def __init__(self, vocab=256, d=64):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.fc = CastedLinear(d, d, bias=False)
        self.head = CastedLinear(d, vocab, bias=False)

    def forward(self, idx, tgt):
        logits = self.head(F.relu(self.fc(self.emb(idx))).square()).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1))


def apply_plan(model, plan):
    model = model.to(getattr(torch, plan["model_dtype"]))
    keep = set(plan["fp32_storage"])
    for m in model.modules():
        if type(m).__name__ in keep:
            m.float()
    return model


model = apply_plan(Net().cuda(), PLAN)
idx = torch.randint(0, 256, (4, 32), device="cuda")
model(idx, idx).backward()
