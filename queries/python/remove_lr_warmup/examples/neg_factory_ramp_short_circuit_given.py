# example: the same factory and short-circuit guard, but called with a warmup of 100 steps (`warmup_stable_decay(opt, warmup=100)`), so the rate ramps up first; NOT present.

class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                X = g.bfloat16()
                for _ in range(5):
                    A = X @ X.T
                    X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
                p.data.add_(X, alpha=-group["lr"])

def warmup_stable_decay(optimizer, warmup=0, total=7000, decay=2000):
    stable_end = total - decay
    def factor(step):
        if warmup > 0 and step < warmup:
            return (step + 1) / warmup
        if step < stable_end:
            return 1.0
        return (total - step) / decay
    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)

model = torch.nn.Linear(4, 4)
opt = Muon(model.parameters())
sched = warmup_stable_decay(opt, warmup=100)
for i in range(7000):
    opt.step()
    sched.step()
