# example: torch's functional AdamW (torch.optim.adamw.adamw) run every step with foreach=True, not the fused kernel; negative.
import torch


def adam_apply(leaves, grads, states, *, lr):
    torch.optim.adamw.adamw(
        leaves, grads,
        [s["exp_avg"] for s in states], [s["exp_avg_sq"] for s in states], [],
        [s["step"] for s in states],
        foreach=True, amsgrad=False, beta1=0.9, beta2=0.95,
        lr=lr, weight_decay=0.0, eps=1e-8, maximize=False,
    )


def loss_fn(params, x):
    return torch.tanh(x @ params["w"]).square().mean()


params = {"w": torch.randn(16, 16, device="cuda")}
states = [{"exp_avg": torch.zeros(16, 16, device="cuda"), "exp_avg_sq": torch.zeros(16, 16, device="cuda"),
           "step": torch.zeros((), device="cuda")}]
grad_fn = torch.func.grad_and_value(loss_fn)
for step in range(100):
    grads, loss = grad_fn(params, torch.randn(4, 16, device="cuda"))
    with torch.no_grad():
        adam_apply([params["w"]], [grads["w"]], states, lr=3e-3)
