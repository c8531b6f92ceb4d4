# example: from step 5 on the forward/backward runs inside torch.compiler.set_stance(skip_guard_eval_unsafe=True) entered on an ExitStack; present.
import contextlib

import torch


def train(model, loader, optimizers, num_iterations, accumulation=1):
    x, y = loader.next_batch()
    for step in range(num_iterations):
        for i in range(1, accumulation + 1):
            with contextlib.ExitStack() as guards:
                if i < accumulation:
                    guards.enter_context(model.no_sync())
                if step >= 5:
                    guards.enter_context(torch.compiler.set_stance(skip_guard_eval_unsafe=True))
                model(x, y).backward()
                x, y = loader.next_batch()
        for opt in optimizers:
            opt.step()
        model.zero_grad(set_to_none=True)
