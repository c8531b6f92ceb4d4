# example: a table of two run records, the optimizer reads the first record's lr (0.0036) by list index; 0.0018 is only the second record's, never used; negative.
import torch

RUNS = [{"lr": 0.0036, "steps": 10}, {"lr": 0.0018, "steps": 10}]
model = torch.nn.Linear(4, 4)
opt = torch.optim.AdamW(model.parameters(), lr=RUNS[0]["lr"])
for step in range(RUNS[0]["steps"]):
    loss = model(torch.randn(2, 4)).sum()
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
