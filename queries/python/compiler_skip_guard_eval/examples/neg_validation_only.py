# example: near miss - the guard-skipping stance wraps only the validation loop (no_grad), never the training forward/backward; negative.
import torch

model = torch.compile(torch.nn.Linear(8, 8))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(100):
    if step % 25 == 0:
        val_loss = 0.0
        with torch.no_grad(), torch.compiler.set_stance(skip_guard_eval_unsafe=True):
            for _ in range(4):
                val_loss += model(torch.randn(4, 8)).square().mean()
    loss = model(torch.randn(4, 8)).square().mean()
    loss.backward()
    opt.step()
    opt.zero_grad()
