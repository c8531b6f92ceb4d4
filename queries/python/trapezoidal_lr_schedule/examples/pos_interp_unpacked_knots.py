# example: the multiplier is np.interp over knots unpacked from a tuple the enclosing function builds (np.interp(it, *knots)): no warmup, flat, then a linear warmdown over the last 2000 steps; positive (unpacked interp knots).
import numpy as np
import torch

warmup_iters = 0
num_iterations = 5000
warmdown_iters = 2000


def main():
    model = torch.nn.Linear(4, 4)
    opt = torch.optim.Adam(model.parameters(), lr=0.0018)
    lr_knots = ([-1, warmup_iters - 1, num_iterations - warmdown_iters, num_iterations], [0.0, 1.0, 1.0, 0.0])

    def get_lr(it):
        return float(np.interp(it, *lr_knots))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, get_lr)
    for step in range(num_iterations):
        opt.step()
        sched.step()


main()
