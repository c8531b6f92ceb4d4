# example: near miss - nanoGPT-style groups where 1-D params get "weight_decay": 0.0 but 2-D params keep weight_decay 0.1; negative (decay not removed).
import torch
import torch.nn as nn

weight_decay = 0.1


def configure_optimizers(model: nn.Module, learning_rate: float):
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    groups = [
        {"params": decay, "weight_decay": weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=learning_rate, betas=(0.9, 0.95))


net = nn.Sequential(nn.Linear(768, 768), nn.LayerNorm(768))
opt = configure_optimizers(net, 0.0018)
