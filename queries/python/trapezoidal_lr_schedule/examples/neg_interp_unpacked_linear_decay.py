# example: the same unpacked np.interp knots, but the curve falls linearly from the first step (a pure linear decay, no flat phase); negative.
import numpy as np
import torch

warmup_iters = 0
num_iterations = 5000
warmdown_iters = 2000


def main():
    model = torch.nn.Linear(4, 4)
    opt = torch.optim.Adam(model.parameters(), lr=0.0018)
    lr_knots = ([-1, warmup_iters - 1, num_iterations // 2, num_iterations], [1.0, 1.0, 0.5, 0.0])

    def get_lr(it):
        return float(np.interp(it, *lr_knots))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, get_lr)
    for step in range(num_iterations):
        opt.step()
        sched.step()


main()
