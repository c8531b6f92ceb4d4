# example: a dataclass schedule reads its settings through a local alias (`c = self.settings`) and a string-enum test, and the trainer hands the window through two of its methods before the model call; positive.
from dataclasses import dataclass, field
from enum import Enum

import torch
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_block_mask


class SpanKind(str, Enum):
    constant = "constant"
    ramp = "ramp"


@dataclass
class SpanSettings:
    kind: SpanKind = SpanKind.ramp
    smallest: int = 64
    largest: int = 1792
    quantum: int = 64


@dataclass
class RunSettings:
    total_steps: int = 1750
    span: SpanSettings = field(default_factory=SpanSettings)


@dataclass
class SpanSchedule:
    settings: SpanSettings

    def tokens(self, step: int, total: int) -> int:
        c = self.settings
        if c.kind == SpanKind.constant:
            return c.largest
        grown = c.smallest + (c.largest - c.smallest) * step / total
        return c.quantum * int(grown // c.quantum)

    def as_tensor(self, step: int, total: int) -> torch.Tensor:
        return torch.tensor(self.tokens(step, total), dtype=torch.int, device="cuda")


class TinyLM(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(50304, 768)
        self.head = torch.nn.Linear(768, 50304, bias=False)

    def forward(self, idx, targets, span):
        def local_causal(b, h, q, kv):
            return (q >= kv) & (q - kv < span)
        mask = create_block_mask(local_causal, None, None, idx.size(-1), idx.size(-1), device="cuda")
        return F.cross_entropy(self.head(self.embed(idx)).float().view(-1, 50304), targets.view(-1))


@dataclass
class Loop:
    run: RunSettings
    model: torch.nn.Module
    opt: torch.optim.Optimizer
    spans: SpanSchedule
    batches: object

    def accumulate(self, x, y, span):
        loss = self.model(x, y, span=span)
        loss.backward()
        return loss.detach()

    def one_step(self, x, y, span):
        loss = self.accumulate(x, y, span)
        self.opt.step()
        self.model.zero_grad(set_to_none=True)
        return loss

    def fit(self):
        for it in range(self.run.total_steps + 1):
            span = self.spans.as_tensor(it, self.run.total_steps)
            x, y = self.batches.next_batch()
            self.one_step(x, y, span)


def build_settings() -> RunSettings:
    return RunSettings(
        total_steps=1750,
        span=SpanSettings(kind=SpanKind.ramp, smallest=64, largest=1792, quantum=64),
    )


def main(batches):
    run = build_settings()
    model = TinyLM().cuda()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    Loop(run=run, model=model, opt=opt, spans=SpanSchedule(run.span), batches=batches).fit()
