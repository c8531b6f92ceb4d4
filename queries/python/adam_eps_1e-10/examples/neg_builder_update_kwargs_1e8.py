# example: the same builder whose chained `with_adam_options` passes eps=1e-8: the default-sized epsilon; absent.
import torch


class OptimizerBuilder:
    def __init__(self):
        self._groups = []
        self._adam_kw = {}

    def with_group(self, params, lr):
        self._groups.append(dict(params=list(params), lr=lr))
        return self

    def with_adam_options(self, **kw):
        self._adam_kw.update(kw)
        return self

    def build(self):
        return torch.optim.Adam(self._groups, **self._adam_kw)


model = torch.nn.Linear(768, 768)
opt = OptimizerBuilder().with_group(model.parameters(), lr=0.008).with_adam_options(betas=(0.8, 0.95), eps=1e-8).build()
for step in range(100):
    model(torch.randn(8, 768)).square().mean().backward()
    opt.step()
