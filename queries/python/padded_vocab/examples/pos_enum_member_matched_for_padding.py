# example: the padding is an IntEnum member chosen in a frozen settings class; a helper matches on the member (`case Rounding.WIDE:`) and rounds with `mode.value`; positive.
import enum
from dataclasses import dataclass

import torch.nn as nn


class Rounding(enum.IntEnum):
    OFF = 1
    WIDE = 128


@dataclass(frozen=True)
class Shape:
    tokens: int = 50257
    width: int = 768
    rounding: Rounding = Rounding.WIDE

    @property
    def table_rows(self) -> int:
        return round_rows(self.tokens, self.rounding)


def round_rows(n: int, mode: Rounding) -> int:
    match mode:
        case Rounding.OFF:
            return n
        case Rounding.WIDE:
            return -(-n // mode.value) * mode.value


class Net(nn.Module):
    def __init__(self, shape: Shape):
        super().__init__()
        self.embed = nn.Embedding(shape.table_rows, shape.width)
        self.body = nn.Linear(shape.width, shape.width)
        self.out = nn.Linear(shape.width, shape.table_rows, bias=False)


model = Net(Shape())
