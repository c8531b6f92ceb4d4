# example: the matrices' group decays by hp.weight_decay, a hyperparameter the module is built with (0.1, passed through **kwargs), and the vectors' group by 0.0; the attribute read is not the group literal's "weight_decay" entry, so the matrices decay; NOT present.
from types import SimpleNamespace

import torch
from torch import nn


class LitGPT(nn.Module):
    def __init__(self, **hparams):
        super().__init__()
        self.hparams = SimpleNamespace(**hparams)
        self.body = nn.Linear(768, 768)
        self.gain = nn.Parameter(torch.ones(768))

    def configure_optimizers(self):
        hp = self.hparams
        matrices = [p for p in self.parameters() if p.ndim >= 2]
        vectors = [p for p in self.parameters() if p.ndim < 2]
        groups = [{"params": matrices, "weight_decay": hp.weight_decay},
                  {"params": vectors, "weight_decay": hp.no_decay_weight_decay}]
        return torch.optim.AdamW(groups, lr=hp.learning_rate, betas=(0.9, 0.95))


run_hparams = dict(learning_rate=0.0018, weight_decay=0.1, no_decay_weight_decay=0.0)
optimizer = LitGPT(**run_hparams).configure_optimizers()
