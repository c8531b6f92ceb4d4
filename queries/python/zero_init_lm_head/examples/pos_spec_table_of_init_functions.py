# example: the head's init is named in a nested model spec (`"readout": {"init": "zero"}`) and applied through a table of init functions keyed by that name, `WEIGHT_INIT[spec["readout"]["init"]](self.readout.weight)` with `"zero": lambda t: t.data.zero_()`; positive.
import torch
import torch.nn as nn

SPEC = {
    "width": 512,
    "vocab": 50304,
    "readout": {"shared": False, "init": "zero"},
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
