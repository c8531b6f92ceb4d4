# example: near miss - the same trainer table, but the head row keeps eps 1e-8 while the embedding row has 1e-10; negative (the head's Adam keeps its epsilon).
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, vocab=50304, dim=768, depth=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList(nn.Linear(dim, dim, bias=False) for _ in range(depth))
        self.lm_head = nn.Linear(dim, vocab, bias=False)
        self.embed.weight.label = "embed"
        self.lm_head.weight.label = "lm_head"
        for b in self.blocks:
            b.weight.label = "hidden"

    def forward(self, idx):
        x = self.embed(idx)
        for b in self.blocks:
            x = x + b(x)
        return self.lm_head(x)


class Trainer:
    def __init__(self, model):
        self.model = model
        self.table = {
            "embed": {"optim": "adamw", "lr": 0.6, "eps": 1e-10, "wd": 0.0},
            "lm_head": {"optim": "adamw", "lr": 0.008, "eps": 1e-8, "wd": 0.0},
            "hidden": {"optim": "sgd", "lr": 0.05},
        }
        self.opts = self.make_optimizers()

    def make_optimizers(self):
        by_label = {}
        for p in self.model.parameters():
            by_label.setdefault(p.label, []).append(p)
        opts = []
        for label, params in by_label.items():
            row = self.table[label]
            if row["optim"] == "adamw":
                opts.append(torch.optim.AdamW(params, lr=row["lr"], eps=row["eps"], weight_decay=row["wd"]))
            else:
                opts.append(torch.optim.SGD(params, lr=row["lr"], momentum=0.9))
        return opts


trainer = Trainer(Net())
