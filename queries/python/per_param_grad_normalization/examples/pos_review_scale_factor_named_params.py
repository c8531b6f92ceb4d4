# example: a trainer method walks named_parameters, computes 1/(vector_norm(g)+eps) into a local and multiplies the gradient in place by it; positive (reciprocal held in a name, mul_ spelling).
import torch
import torch.nn as nn


class Trainer:
    def __init__(self, model: nn.Module, lr: float = 1e-3, eps: float = 1e-10):
        self.model = model
        self.eps = eps
        self.opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)

    @torch.no_grad()
    def _unit_grads(self):
        for name, param in self.model.named_parameters():
            grad = param.grad
            if grad is None:
                continue
            scale = 1.0 / (torch.linalg.vector_norm(grad) + self.eps)
            grad.mul_(scale)

    def step(self, batch, targets):
        logits = self.model(batch)
        loss = nn.functional.cross_entropy(logits, targets)
        loss.backward()
        self._unit_grads()
        self.opt.step()
        self.opt.zero_grad(set_to_none=True)
        return loss.item()


trainer = Trainer(nn.Sequential(nn.Linear(128, 256), nn.GELU(), nn.Linear(256, 10)))
for _ in range(20):
    trainer.step(torch.randn(32, 128), torch.randint(0, 10, (32,)))
