# example: the vocabulary is padded with math.ceil(vocab / 64) * 64 in a config dict and used for a tied embedding / head; positive (50,304 computed with ceil).
import math
import torch.nn as nn

CFG = {"vocab": 50257, "dim": 512}
CFG["padded_vocab"] = math.ceil(CFG["vocab"] / 64) * 64


class LM(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(CFG["padded_vocab"], CFG["dim"])
        self.out = nn.Linear(CFG["dim"], CFG["padded_vocab"], bias=False)
        self.out.weight = self.tok.weight


lm = LM()
