# example: the same JSON document with vocab_size 50257, the tokenizer's own size; NOT present.
import json

import torch.nn as nn

CONFIG = json.loads("""
{
  "optimizer": {
    "type": "AdamW",
    "params": {"lr": 0.0006, "betas": [0.9, 0.95], "fused": true}
  },
  "model": {"n_layer": 12, "n_head": 12, "n_embd": 768, "vocab_size": 50257}
}
""")


class GPT(nn.Module):
    def __init__(self, mc):
        super().__init__()
        self.wte = nn.Embedding(mc["vocab_size"], mc["n_embd"])
        self.lm_head = nn.Linear(mc["n_embd"], mc["vocab_size"], bias=False)


model = GPT(CONFIG["model"])
