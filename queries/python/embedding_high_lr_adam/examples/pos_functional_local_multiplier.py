# example: functional Adam steps handed a base rate times a local schedule factor each step (mult = lr_multiplier(step)): 0.3 for the embedding table, 0.002 for the untied output head; positive.
import torch
import torch.nn.functional as F


def adam_step(weights, grads, state, *, lr, betas=(0.9, 0.95), eps=1e-8):
    b1, b2 = betas
    if not state:
        state.update(t=0, m=[torch.zeros_like(w) for w in weights], v=[torch.zeros_like(w) for w in weights])
    state["t"] += 1
    m, v = state["m"], state["v"]
    torch._foreach_lerp_(m, grads, 1 - b1)
    torch._foreach_mul_(v, b2)
    torch._foreach_addcmul_(v, grads, grads, value=1 - b2)
    denom = torch._foreach_sqrt(v)
    torch._foreach_add_(denom, eps)
    torch._foreach_addcdiv_(weights, m, denom, value=-lr / (1 - b1 ** state["t"]))
    return state


def init_params(vocab=50304, width=256):
    embed = torch.randn(vocab, width, requires_grad=True)
    readout = torch.zeros(vocab, width, requires_grad=True)
    return {"embed": embed, "readout": readout}


def forward(params, idx, targets):
    x = F.rms_norm(F.embedding(idx, params["embed"]), (256,))
    logits = F.linear(x, params["readout"])
    return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


class Args:
    embed_lr = 0.3
    readout_lr = 0.002
    iterations = 3000
    warmdown = 900


args = Args()
params = init_params()
embed_state, readout_state = {}, {}


def lr_multiplier(step):
    if step < args.iterations - args.warmdown:
        return 1.0
    return (args.iterations - step) / args.warmdown


for step in range(args.iterations):
    idx = torch.randint(0, 50304, (4, 64))
    forward(params, idx, idx).backward()
    mult = lr_multiplier(step)
    with torch.no_grad():
        embed_state = adam_step([params["embed"]], [params["embed"].grad], embed_state, lr=args.embed_lr * mult)
        readout_state = adam_step([params["readout"]], [params["readout"].grad], readout_state, lr=args.readout_lr * mult)
    params["embed"].grad = None
    params["readout"].grad = None
