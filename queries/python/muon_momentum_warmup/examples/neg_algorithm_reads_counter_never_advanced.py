# example: the same Composer-like algorithm, but the counter it reads is never advanced by the loop (the trainer counts `seen` tokens instead), so the momentum stays at its start; NOT present.
import torch
from muon import Muon


class State:
    def __init__(self, model, optimizers):
        self.model, self.optimizers = model, optimizers
        self.batch_idx = 0


class MomentumRamp:
    def __init__(self, start, end, n):
        self.start, self.end, self.n = start, end, n

    def apply(self, state):
        t = min(state.batch_idx / self.n, 1.0)
        for opt in state.optimizers:
            if isinstance(opt, Muon):
                for g in opt.param_groups:
                    g["momentum"] = self.start + t * (self.end - self.start)


class Trainer:
    def __init__(self, state, algorithms):
        self.state, self.algorithms = state, algorithms

    def fit(self, loader):
        st = self.state
        for batch in loader:
            for algorithm in self.algorithms:
                algorithm.apply(st)
            st.model(batch).square().mean().backward()
            for opt in st.optimizers:
                opt.step()
                opt.zero_grad(set_to_none=True)
            st.seen = getattr(st, "seen", 0) + batch.numel()


model = torch.nn.Linear(64, 64, bias=False)
muon = Muon(model.parameters(), lr=0.02, momentum=0.95)
trainer = Trainer(State(model, [muon]), [MomentumRamp(0.85, 0.95, 300)])
trainer.fit(torch.randn(2000, 8, 64))
