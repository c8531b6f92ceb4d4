# example: the schedule's lengths and kind come from an INI document embedded in the script and read with configparser (section.getint / getfloat / get); the kind, an unquoted word, selects the plain branch: flat, then a linear warmdown over the last 40%; positive.
import configparser
import torch

DEFAULTS = """
[schedule]
num_iterations = 1390
cooldown_frac = 0.4
kind = trapezoid
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
