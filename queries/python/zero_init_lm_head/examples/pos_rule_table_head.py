# example: an init rule table applied in a loop over named_parameters(), each row's pattern compiled and its action looked up in a table of init functions; the row for the untied lm_head weight maps to nn.init.zeros_; positive.
import re

import torch
import torch.nn as nn
import torch.nn.functional as F

INIT = {"zeros": nn.init.zeros_, "normal": lambda w: nn.init.normal_(w, std=0.02)}
INIT_RULES = [(r"^lm_head\.weight$", "zeros"), (r"^wte\.weight$", "normal")]


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, layers=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList([nn.Linear(d, d, bias=False) for _ in range(layers)])
        self.lm_head = nn.Linear(d, vocab, bias=True)
        init_from_rules(self, INIT_RULES)

    def forward(self, idx, targets):
        x = self.wte(idx)
        for block in self.blocks:
            x = x + F.relu(block(x)).square()
        logits = self.lm_head(F.rms_norm(x, (x.size(-1),)))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def init_from_rules(model, rules):
    compiled = [(re.compile(pattern), INIT[kind]) for pattern, kind in rules]
    with torch.no_grad():
        for name, param in model.named_parameters():
            for rx, fn in compiled:
                if rx.search(name):
                    fn(param)
                    break
