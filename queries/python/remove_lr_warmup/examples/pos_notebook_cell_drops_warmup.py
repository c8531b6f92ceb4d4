# example: a notebook export sets WARMUP = 200 in its first cell and defines the model in the next, then a later cell sets WARMUP = 0 before the training loop of the last cell calls get_lr (defined in between) each step; the run starts at its peak rate; positive.
import torch

# %% cell 1: settings
LR = 0.01
STEPS = 2000
WARMUP = 200
COOLDOWN = 600



# %% cell 2: model
class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.body = torch.nn.Linear(32, 32)
        self.reset()

    def reset(self):
        torch.nn.init.zeros_(self.body.bias)

    def forward(self, x):
        return self.body(x)


model = Net()
opt = torch.optim.Adam(model.parameters(), lr=LR)

# %% cell 3: a second look at the settings
WARMUP = 0


# %% cell 4: schedule
def get_lr(step):
    if step < WARMUP:
        return LR * (step + 1) / WARMUP
    if step < STEPS - COOLDOWN:
        return LR
    return LR * (STEPS - step) / COOLDOWN


# %% cell 5: training
for step in range(STEPS):
    model(torch.randn(8, 32)).square().mean().backward()
    for g in opt.param_groups:
        g["lr"] = get_lr(step)
    opt.step()
    opt.zero_grad(set_to_none=True)
