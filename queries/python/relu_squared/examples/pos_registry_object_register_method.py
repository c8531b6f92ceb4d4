# example: a registry object (a class keeping a table and a register() decorator factory, its key falling back to the definition's name) files activations and blocks; the block built from the nested configuration looks its activation up by the configured key, the squared ReLU; positive.
import torch.nn as nn
import torch.nn.functional as F

class Registry:
    def __init__(self, name):
        self.name = name
        self._entries = {}

    def register(self, key=None):
        def deco(obj):
            self._entries[key or obj.__name__] = obj
            return obj
        return deco

    def get(self, key):
        return self._entries[key]

    def build(self, key, **kwargs):
        return self.get(key)(**kwargs)

ACTIVATIONS = Registry("activation")
BLOCKS = Registry("block")

@ACTIVATIONS.register("relu2")
def relu_squared(x):
    return F.relu(x).square()

@ACTIVATIONS.register()
def gelu(x):
    return F.gelu(x)

@BLOCKS.register("mlp")
class MLP(nn.Module):
    def __init__(self, width, act):
        super().__init__()
        self.fc = nn.Linear(width, 4 * width)
        self.proj = nn.Linear(4 * width, width)
        self.act = ACTIVATIONS.get(act)

    def forward(self, x):
        return self.proj(self.act(self.fc(x)))

CFG = {"model": {"width": 768, "act": "relu2", "block": "mlp"}}
mlp = BLOCKS.build(CFG["model"]["block"], width=CFG["model"]["width"], act=CFG["model"]["act"])
