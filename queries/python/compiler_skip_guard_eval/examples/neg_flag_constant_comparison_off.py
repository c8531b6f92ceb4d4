# example: the same stance, but its flag compares a constant that never changes (warmup >= 1000 with warmup = 5): always off; negative.

import torch

model = torch.compile(torch.nn.Linear(32, 32))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
warmup = 5
for step in range(100):
    with torch.compiler.set_stance(skip_guard_eval_unsafe=(warmup >= 1000)):
        loss = model(torch.randn(8, 32)).square().mean()
        loss.backward()
    opt.step()
    opt.zero_grad()
