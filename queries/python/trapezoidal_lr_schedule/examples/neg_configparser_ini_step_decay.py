# example: the same INI-configured schedule, but its kind names the step-decay branch (a tenfold drop every 400 steps); negative.
import configparser
import torch

DEFAULTS = """
[schedule]
num_iterations = 1390
cooldown_frac = 0.4
kind = step_decay
floor = 0.1
"""
parser = configparser.ConfigParser()
parser.read_string(DEFAULTS)


def lr_factor(step, section):
    remaining = 1 - step / section.getint("num_iterations")
    w = min(remaining / section.getfloat("cooldown_frac"), 1.0)
    if section.get("kind") == "step_decay":
        return 0.1 ** (step // 400)
    return w


def main():
    sched_cfg = parser["schedule"]
    model = torch.nn.Linear(4, 4)
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_factor(s, sched_cfg))
    for _ in range(sched_cfg.getint("num_iterations")):
        opt.step()
        sched.step()


main()
