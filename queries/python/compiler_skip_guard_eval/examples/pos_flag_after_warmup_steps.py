# example: the training step runs under torch.compiler.set_stance whose skip_guard_eval_unsafe flag is the comparison step >= warmup (off for the first steps, on afterwards); positive.

import torch

model = torch.compile(torch.nn.Linear(32, 32))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
warmup = 5
for step in range(100):
    with torch.compiler.set_stance(skip_guard_eval_unsafe=(step >= warmup)):
        loss = model(torch.randn(8, 32)).square().mean()
        loss.backward()
    opt.step()
    opt.zero_grad()
