# example: near miss - the same table of activation classes and init hook, but the hook zeroes the MLP input projection `c_fc` (and the attention `c_proj`): the MLP output projection keeps its random init; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class SquaredReLU(nn.Module):
    def forward(self, x):
        return torch.square(F.relu(x))


ACT2CLS = {"gelu": nn.GELU, "relu": nn.ReLU, "relu2": SquaredReLU}


class Config:
    def __init__(self, n_embd=768, n_head=6, act="gelu"):
        self.n_embd = n_embd
        self.n_head = n_head
        self.act = act


class Attention(nn.Module):
    def __init__(self, config: Config):
        super().__init__()
        self.n_head = config.n_head
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=False)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, -1).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, config: Config):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=False)
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=False)
        self.act = ACT2CLS[config.act]()

    def forward(self, x):
        return self.c_proj(self.act(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, config: Config):
        super().__init__()
        self.attn = Attention(config)
        self.mlp = MLP(config)
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, Attention):
            module.c_proj.weight.data.zero_()
        if isinstance(module, MLP):
            module.c_fc.weight.data.zero_()

    def forward(self, x):
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)))
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))


block = Block(Config(act="relu2"))
