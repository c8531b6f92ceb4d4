# example: the hidden matrices' optimizer is a chain of transformations composed by the file's own `compose(*links)` (momentum, Newton-Schulz orthogonalization, a negated rate) and applied with `p.add_`; positive.
import torch
import torch.nn as nn


class Transform:
    def __init__(self, init, update):
        self.init, self.update = init, update


def compose(*links):
    def init(params):
        return [link.init(params) for link in links]

    def update(grads, states, params):
        fresh = []
        for link, state in zip(links, states):
            grads, state = link.update(grads, state, params)
            fresh.append(state)
        return grads, fresh

    return Transform(init, update)


def polar(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    tall = G.size(0) > G.size(1)
    if tall:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return (X.T if tall else X).to(G.dtype)


def orthogonalize(steps):
    def init(params):
        return None

    def update(grads, state, params):
        return [polar(g, steps) for g in grads], state

    return Transform(init, update)


def rms_match():
    def init(params):
        return None

    def update(grads, state, params):
        return [g * max(g.size(0), g.size(1)) ** 0.5 for g in grads], state

    return Transform(init, update)


def momentum(decay, nesterov=True):
    def init(params):
        return dict(count=0, bufs=[torch.zeros_like(p) for p in params])

    def update(grads, state, params):
        mu = decay(state["count"]) if callable(decay) else decay
        out = []
        for g, b in zip(grads, state["bufs"]):
            b.mul_(mu).add_(g)
            out.append(g.add(b, alpha=mu) if nesterov else b.clone())
        return out, dict(count=state["count"] + 1, bufs=state["bufs"])

    return Transform(init, update)


def adam_moments(b1, b2, eps):
    def init(params):
        return dict(m=[torch.zeros_like(p) for p in params], v=[torch.zeros_like(p) for p in params])

    def update(grads, state, params):
        torch._foreach_lerp_(state["m"], grads, 1 - b1)
        torch._foreach_mul_(state["v"], b2)
        torch._foreach_addcmul_(state["v"], grads, grads, value=1 - b2)
        denom = torch._foreach_sqrt(state["v"])
        torch._foreach_add_(denom, eps)
        return torch._foreach_div(state["m"], denom), state

    return Transform(init, update)


def by_schedule(fn):
    def init(params):
        return 0

    def update(grads, count, params):
        return [g * fn(count) for g in grads], count + 1

    return Transform(init, update)


def times(factor):
    def init(params):
        return None

    def update(grads, state, params):
        return [g * factor for g in grads], state

    return Transform(init, update)


model = nn.Sequential(nn.Embedding(50304, 256), nn.Linear(256, 256, bias=False), nn.Linear(256, 50304, bias=False))
hidden = [model[1].weight]
rest = [model[0].weight, model[2].weight]


matrix_tx = compose(momentum(0.95), orthogonalize(5), times(-0.02))
other_tx = compose(adam_moments(0.9, 0.95, 1e-8), times(-0.008))


def train(steps, batches):
    s_hidden, s_rest = matrix_tx.init(hidden), other_tx.init(rest)
    for step, (x, y) in zip(range(steps), batches):
        loss = nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten())
        loss.backward()
        with torch.no_grad():
            u, s_hidden = matrix_tx.update([p.grad for p in hidden], s_hidden, hidden)
            for p, d in zip(hidden, u):
                p.add_(d)
            u, s_rest = other_tx.update([p.grad for p in rest], s_rest, rest)
            for p, d in zip(rest, u):
                p.add_(d)
        model.zero_grad(set_to_none=True)
