# example: near miss - the same registered factory and helper, but the helper casts the whole model to bf16 and puts nothing back (the casting linears' weights stay bf16); NOT present.
import torch
import torch.nn as nn
import torch.nn.functional as F

class CastedLinear(nn.Linear):
    def __init__(self, in_features, out_features, bias=False):
        super().__init__(in_features, out_features, bias=bias)
    def forward(self, x):
        return F.linear(x, self.weight.to(x.dtype))

def cast_activations_(model, dtype=torch.bfloat16, keep_fp32=(CastedLinear,)):
    model.to(dtype=dtype)
    return model

class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(50304, 768)
        self.fc = CastedLinear(768, 768)
        self.lm_head = CastedLinear(768, 50304)
    def forward(self, idx):
        return self.lm_head(self.fc(self.wte(idx)))

_entry = {}
def register_model(fn):
    _entry[fn.__name__] = fn
    return fn

@register_model
def gpt_small(pretrained=False, **kwargs):
    return GPT(**kwargs)

def create_model(name, pretrained=False, **kwargs):
    return _entry[name](pretrained=pretrained, **kwargs)

model = create_model('gpt_small')
model = cast_activations_(model.cuda(), dtype=torch.bfloat16)
