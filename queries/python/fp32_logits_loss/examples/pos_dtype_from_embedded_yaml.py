# example: the logits dtype is a name in a YAML document embedded in the script ("float32"), turned into a torch dtype with getattr and applied to the logits before the cross-entropy; present.
import torch
import torch.nn.functional as F
import yaml
from torch import nn

CFG = yaml.safe_load("""
model:
  n_embd: 768
  vocab_size: 50304
loss:
  logits_dtype: float32
""")


class LM(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Linear(CFG["model"]["n_embd"], CFG["model"]["vocab_size"], bias=False)
        self.logits_dtype = getattr(torch, CFG["loss"]["logits_dtype"])

    def forward(self, h, targets):
        logits = self.head(h).to(self.logits_dtype)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
