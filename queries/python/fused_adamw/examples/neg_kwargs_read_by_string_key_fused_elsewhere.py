# example: the same dictionary read by string key, but fused=True is set in the SGD options only; negative.
import torch
import torch.nn as nn

model = nn.Linear(768, 768).cuda()
hp = {"lr": 0.0018}
hp.update(
    adamw_kwargs=dict(betas=(0.9, 0.95), weight_decay=0.0, foreach=True),
    sgd_kwargs=dict(momentum=0.9, fused=True),
)
opt_kwargs = dict(hp["adamw_kwargs"])
optimizer = torch.optim.AdamW(model.parameters(), lr=hp["lr"], **opt_kwargs)
