# example: the depth is parsed from a stack spec string ("12x(...)") and the layer -> table route is a digit string "012345543210" read into a list; both loops hand layer j the table route[j], so the decoder reuses the encoder tables in mirrored order; positive.
import re

import torch
import torch.nn as nn

SPEC = {"stack": "12x(attn:6h,mlp:4x)", "route": "012345543210", "tables": 6}


def parse_stack(spec):
    m = re.fullmatch(r"(\d+)x\((.*)\)", spec.replace(" ", ""))
    return [dict(index=i, body=m.group(2)) for i in range(int(m.group(1)))]


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, d)
        self.mix = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, ve):
        return x + self.fc(x + self.mix * ve)


class GPT(nn.Module):
    def __init__(self, vocab=256, d=64):
        super().__init__()
        self.plan = parse_stack(SPEC["stack"])
        depth = len(self.plan)
        self.n_enc = depth // 2
        self.n_dec = depth - self.n_enc
        self.table_of_layer = [int(ch) for ch in SPEC["route"]]
        self.value_tables = nn.Embedding(vocab, SPEC["tables"] * d)
        self.layers = nn.ModuleList([Block(d) for _ in self.plan])

    def forward(self, idx, x):
        tables = self.value_tables(idx).chunk(SPEC["tables"], dim=-1)
        route = self.table_of_layer
        for i in range(self.n_enc):
            x = self.layers[i](x, tables[route[i]])
        for i in range(self.n_dec):
            j = self.n_enc + i
            x = self.layers[j](x, tables[route[j]])
        return x
