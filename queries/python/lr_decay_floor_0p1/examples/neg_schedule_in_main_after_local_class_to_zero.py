# example: everything lives in one main() with a class defined there before the LR multiplier, which cools down to zero; NOT present.
import torch
import torch.nn as nn


def main():
    num_iterations = 1390
    cooldown_frac = 0.4
    final_lr_frac = 0.0

    class Rotary(nn.Module):
        def __init__(self, dim):
            super().__init__()
            t = torch.arange(1024, dtype=torch.float32)
            self.register_buffer("angles", torch.outer(t, torch.ones(dim // 2)), persistent=False)

    model = nn.Sequential(nn.Linear(64, 64), Rotary(64))
    opt = torch.optim.Adam(model.parameters(), lr=0.008, betas=(0.8, 0.95))

    def lr_multiplier(it):
        t = 1 - it / num_iterations
        w = min(t / cooldown_frac, 1.0)
        return w * 1.0 + (1 - w) * final_lr_frac

    scheduler = torch.optim.lr_scheduler.LambdaLR(opt, lr_multiplier)
    for step in range(num_iterations):
        model(torch.randn(8, 64)).square().mean().backward()
        opt.step()
        scheduler.step()
        opt.zero_grad(set_to_none=True)


if __name__ == "__main__":
    main()
