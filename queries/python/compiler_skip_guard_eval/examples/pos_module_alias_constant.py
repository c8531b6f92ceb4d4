# example: torch.compiler is imported under an alias and set_stance gets skip_guard_eval_unsafe from a module constant set to True after warmup; the same switch through other names.
import torch
import torch.compiler as tc

SKIP_GUARDS = True
WARMUP = 10


def train(model, batches, opt):
    model = torch.compile(model)
    for step, (x, y) in enumerate(batches):
        if step == WARMUP:
            tc.set_stance(skip_guard_eval_unsafe=SKIP_GUARDS)
        model(x, y).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
