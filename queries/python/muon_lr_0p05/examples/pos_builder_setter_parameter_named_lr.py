# example: a builder's chained setter takes the Muon rate in a parameter named lr, like the optimizer's own keyword and default (lr=0.02); the setter is called with 0.05; positive.
import torch


def zeropower(G, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                p.data.add_(zeropower(p.grad), alpha=-group["lr"])


class OptimizerBuilder:
    def __init__(self, model):
        self._model = model

    def with_matrix_lr(self, lr):
        self._matrix_lr = lr
        return self

    def build(self):
        return Muon(list(self._model.parameters()), lr=self._matrix_lr, momentum=0.95)


def main(model):
    opt = OptimizerBuilder(model).with_matrix_lr(0.05).build()


if __name__ == "__main__":
    main(torch.nn.Linear(4, 4))
