# example: the model settings are a mapping written on one line inside a JSON document loaded with json.loads; vocab_size 50304; present.
import json

import torch.nn as nn

CONFIG = json.loads("""
{
  "optimizer": {
    "type": "AdamW",
    "params": {"lr": 0.0006, "betas": [0.9, 0.95], "fused": true}
  },
  "model": {"n_layer": 12, "n_head": 12, "n_embd": 768, "vocab_size": 50304}
}
""")


class GPT(nn.Module):
    def __init__(self, mc):
        super().__init__()
        self.wte = nn.Embedding(mc["vocab_size"], mc["n_embd"])
        self.lm_head = nn.Linear(mc["n_embd"], mc["vocab_size"], bias=False)


model = GPT(CONFIG["model"])
