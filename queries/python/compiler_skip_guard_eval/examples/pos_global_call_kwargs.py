# example: after the warmup steps the stance is switched once, globally, with kwargs from a config dict that sets skip_guard_eval_unsafe to True; a third spelling.
import torch

CONFIG = {"steps": 1400, "guard_warmup": 5, "stance": {"skip_guard_eval_unsafe": True}}


def main(model, loader, optimizers):
    compiled = torch.compile(model, dynamic=False)
    for step in range(CONFIG["steps"]):
        if step == CONFIG["guard_warmup"]:
            torch.compiler.set_stance(**CONFIG["stance"])
        x, y = next(loader)
        compiled(x, y).backward()
        for opt in optimizers:
            opt.step()
        compiled.zero_grad(set_to_none=True)
