# example: the zero init of the output head sits behind a `store_false` switch (`--keep-random-head`, dest `zero_head`), which is on unless the flag is given; the head's weight is zeroed in the run the script describes; positive.
import argparse

import torch
import torch.nn as nn

cli = argparse.ArgumentParser()
cli.add_argument("--keep-random-head", dest="zero_head", action="store_false")
cli.add_argument("--width", type=int, default=512)
opts = cli.parse_args()


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=512):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.mix = nn.Sequential(*[nn.Linear(width, width, bias=False) for _ in range(4)])
        self.readout = nn.Linear(width, vocab, bias=False)
        if opts.zero_head:
            with torch.no_grad():
                self.readout.weight.zero_()

    def forward(self, ids):
        return self.readout(self.mix(self.tok(ids)))


net = TinyLM(width=opts.width)
print(net(torch.randint(0, 50304, (2, 16))).shape)
