# example: near miss - the same table of init functions, but the spec names `"normal"` for the head: its weight is drawn at random, and the zeroing entry is never selected; NOT present.
import torch
import torch.nn as nn

SPEC = {
    "width": 512,
    "vocab": 50304,
    "readout": {"shared": False, "init": "normal"},
}

WEIGHT_INIT = {
    "zero": lambda t: t.data.zero_(),
    "normal": lambda t: nn.init.normal_(t, std=0.02),
}

class LM(nn.Module):
    def __init__(self, spec):
        super().__init__()
        self.tokens = nn.Embedding(spec["vocab"], spec["width"])
        self.readout = nn.Linear(spec["width"], spec["vocab"], bias=False)
        if spec["readout"]["shared"]:
            self.readout.weight = self.tokens.weight
        WEIGHT_INIT[spec["readout"]["init"]](self.readout.weight)

    def forward(self, ids):
        return self.readout(self.tokens(ids))

model = LM(SPEC)
