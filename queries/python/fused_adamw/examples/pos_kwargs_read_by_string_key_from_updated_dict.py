# example: AdamW options kept in a hyperparameter dictionary filled by hp.update(...) and spread as **dict(hp["adamw_kwargs"]); positive.
import torch
import torch.nn as nn

model = nn.Linear(768, 768).cuda()
hp = {"lr": 0.0018}
hp.update(
    adamw_kwargs=dict(betas=(0.9, 0.95), weight_decay=0.0, fused=True),
)
opt_kwargs = dict(hp["adamw_kwargs"])
optimizer = torch.optim.AdamW(model.parameters(), lr=hp["lr"], **opt_kwargs)
