# example: set_stance is used, but with the "eager_on_recompile" stance and skip_guard_eval_unsafe=False, so guards are still evaluated; NOT present (near miss for a call matcher).
import torch


def train(model, loader, opt, steps):
    model = torch.compile(model)
    for step in range(steps):
        x, y = next(loader)
        if step >= 5:
            with torch.compiler.set_stance("eager_on_recompile", skip_guard_eval_unsafe=False):
                loss = model(x, y)
        else:
            loss = model(x, y)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
