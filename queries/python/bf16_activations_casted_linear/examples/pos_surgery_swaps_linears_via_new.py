# example: model surgery after the model is built: every nn.Linear is swapped for a CastedLinear made bare with CastedLinear.__new__ that adopts the old weight; then the whole model goes to bf16 and the casting linears back to fp32, with no autocast; present.
import torch
import torch.nn as nn
import torch.nn.functional as F


class CastedLinear(nn.Linear):
    def forward(self, x):
        return F.linear(x, self.weight.to(x.dtype))


def casted_from(lin):
    new = CastedLinear.__new__(CastedLinear)
    nn.Module.__init__(new)
    new.in_features, new.out_features = lin.in_features, lin.out_features
    new.weight = lin.weight
    new.register_parameter("bias", lin.bias)
    return new


def replace_modules(root, old_cls, convert):
    targets = [(name, mod) for name, mod in root.named_modules() if type(mod) is old_cls]
    for name, mod in targets:
        parent_name, _, child = name.rpartition(".")
        parent = root.get_submodule(parent_name) if parent_name else root
        setattr(parent, child, convert(mod))


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.fc = nn.Linear(dim, dim, bias=False)
        self.lm_head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        return self.lm_head(F.relu(self.fc(self.wte(idx))))


def apply_patches(model):
    replace_modules(model, nn.Linear, casted_from)
    model.bfloat16()
    for m in model.modules():
        if isinstance(m, CastedLinear):
            m.float()


model = GPT().cuda()
apply_patches(model)
logits = model(torch.zeros(1, 16, dtype=torch.long, device="cuda"))
