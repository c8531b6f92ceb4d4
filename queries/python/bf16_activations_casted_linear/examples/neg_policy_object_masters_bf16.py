# example: design-pattern style: the precision policy object casts the model to bf16 and "restores" the dtype-following linears to a master dtype that is also bfloat16 (no fp32 masters); negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class DtypeFollowingMixin:
    def forward(self, x):
        return F.linear(x, self.weight.to(dtype=x.dtype))


class MasterWeightLinear(DtypeFollowingMixin, nn.Linear):
    def __init__(self, i, o):
        super().__init__(i, o, bias=False)


class PrecisionPolicy:
    def apply(self, model):
        return model

    def __call__(self, model):
        return self.apply(model)


class BF16Masters(PrecisionPolicy):
    activation_dtype = torch.bfloat16
    master_dtype = torch.bfloat16
    master_types = (MasterWeightLinear,)

    def apply(self, model):
        model = model.to(dtype=self.activation_dtype)
        masters = filter(lambda m: isinstance(m, self.master_types), model.modules())
        for module in masters:
            module.to(dtype=self.master_dtype)
        return model


class GPT(nn.Module):
    def __init__(self, vocab_size, d):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, d)
        self.fc = MasterWeightLinear(d, d)
        self.lm_head = MasterWeightLinear(d, vocab_size)

    def forward(self, idx, targets):
        logits = self.lm_head(self.fc(self.wte(idx))).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


precision = BF16Masters()
model = precision(GPT(50304, 768).cuda())
