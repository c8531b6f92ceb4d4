# example: set_stance is switched to "force_eager" for debugging and the guard-skipping flag is never given; guards are still evaluated, so NOT present.
import torch

DEBUG = True


def run(model, x):
    compiled = torch.compile(model)
    if DEBUG:
        with torch.compiler.set_stance("force_eager"):
            return compiled(x)
    return compiled(x)
