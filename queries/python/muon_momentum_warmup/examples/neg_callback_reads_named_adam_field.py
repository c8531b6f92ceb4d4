# example: the same callback and wrapper, but the entry it ramps is the embedding Adam (`state.optimizer.named["embedding"]`), which keeps no momentum in its groups; NOT present.
import torch
from muon import Muon


class MultiOptimizer:
    def __init__(self, named):
        self.named = named

    def step(self):
        for opt in self.named.values():
            opt.step()


def build(model):
    named = {"embedding": torch.optim.Adam(model[0].parameters(), lr=0.3)}
    named["hidden"] = Muon(model[1].parameters(), lr=0.02, momentum=0.95)
    return MultiOptimizer(named)


class State:
    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.batch = 0


class MomentumRamp:
    def on_step_end(self, state):
        w = min(state.batch / 300, 1.0)
        for g in state.optimizer.named["embedding"].param_groups:
            g["momentum"] = (1 - w) * 0.85 + w * 0.95


model = torch.nn.Sequential(torch.nn.Embedding(64, 8), torch.nn.Linear(8, 8))
state = State(build(model))
callbacks = [MomentumRamp()]
for batch in torch.randint(0, 64, (1000, 4)):
    model(batch).sum().backward()
    state.optimizer.step()
    for callback in callbacks:
        callback.on_step_end(state)
    state.batch += 1
