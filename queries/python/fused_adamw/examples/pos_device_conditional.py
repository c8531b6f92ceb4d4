# example: nanoGPT-style check - fused is used when the AdamW signature supports it and the device is CUDA, passed via extra_args; positive (true on the CUDA benchmark).
import inspect
import torch
import torch.nn as nn


def configure_optimizers(model: nn.Module, weight_decay: float, learning_rate: float, device_type: str):
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [
        {"params": [p for p in params if p.dim() >= 2], "weight_decay": weight_decay},
        {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
    ]
    fused_available = "fused" in inspect.signature(torch.optim.AdamW).parameters
    use_fused = fused_available and device_type == "cuda"
    extra_args = dict(fused=True) if use_fused else dict()
    return torch.optim.AdamW(groups, lr=learning_rate, betas=(0.9, 0.95), **extra_args)


device = "cuda" if torch.cuda.is_available() else "cpu"
model = nn.Sequential(nn.Linear(768, 3072), nn.GELU(), nn.Linear(3072, 768)).to(device)
optimizer = configure_optimizers(model, 0.1, 6e-4, device_type="cuda" if device.startswith("cuda") else "cpu")
