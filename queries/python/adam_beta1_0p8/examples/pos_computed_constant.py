# example: a module constant computed as 1 - 0.2 feeds the betas tuple through a shared kwargs dict used by AdamW; beta1 resolves to 0.8, a third spelling.
import torch
import torch.nn as nn

MOMENTUM_DECAY = 0.2
BETA1 = 1 - MOMENTUM_DECAY
ADAM_KW = {"betas": (BETA1, 0.95), "eps": 1e-8, "weight_decay": 0.0}


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(50304, 512)
        self.out = nn.Linear(512, 50304, bias=False)


net = Net()
emb_opt = torch.optim.AdamW(net.emb.parameters(), lr=0.3, **ADAM_KW)
out_opt = torch.optim.AdamW(net.out.parameters(), lr=0.004, **ADAM_KW)
