# example: near miss - the same Enum property read, but the module name is set to the member whose bound is 30; negative.
import enum

import torch
import torch.nn.functional as F


class LogitHead(enum.Enum):
    LOOSE = (30.0, torch.float32)
    SNUG = (15.0, torch.float32)

    @property
    def bound(self):
        return self.value[0]


HEAD_MODE = LogitHead.LOOSE


def gpt_loss(params, idx, targets):
    x = F.embedding(idx, params["wte"])
    logits = F.rms_norm(x, (x.size(-1),)) @ params["lm_head"].T
    bound = HEAD_MODE.bound
    logits = bound * torch.tanh(logits / bound)
    return F.cross_entropy(logits.float().flatten(0, 1), targets.flatten())
