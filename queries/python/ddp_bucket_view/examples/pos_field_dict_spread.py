# example: a DistSettings dataclass holds the DDP options in a dict field built by default_factory (gradient_as_bucket_view=True, broadcast_buffers=False), and the strategy spreads it into DDP with **; positive.
import os
from dataclasses import dataclass, field

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP


@dataclass
class DistSettings:
    backend: str = "nccl"
    ddp_kwargs: dict = field(default_factory=lambda: dict(broadcast_buffers=False, gradient_as_bucket_view=True))


class DDPStrategy:
    def __init__(self, dist_settings: DistSettings):
        self.dist = dist_settings
        self.local_rank = int(os.environ.get("LOCAL_RANK", 0))
        self.world_size = int(os.environ.get("WORLD_SIZE", 1))

    def setup_environment(self):
        dist.init_process_group(backend=self.dist.backend)
        torch.cuda.set_device(self.local_rank)

    def setup(self, model: nn.Module) -> nn.Module:
        local_rank = self.local_rank
        model = model.to(f"cuda:{local_rank}")
        return DDP(model, device_ids=[local_rank], **self.dist.ddp_kwargs)

    def teardown(self):
        dist.destroy_process_group()


class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.fc = nn.Linear(width, 4 * width, bias=False)
        self.proj = nn.Linear(4 * width, width, bias=False)

    def forward(self, x):
        return x + self.proj(torch.relu(self.fc(x)))


class Net(nn.Module):
    def __init__(self, vocab=50304, width=512, depth=4):
        super().__init__()
        self.emb = nn.Embedding(vocab, width)
        self.blocks = nn.Sequential(*[Block(width) for _ in range(depth)])
        self.head = nn.Linear(width, vocab, bias=False)

    def forward(self, idx):
        return self.head(self.blocks(self.emb(idx)))


class Trainer:
    def __init__(self, strategy, max_steps=200):
        self.strategy = strategy
        self.max_steps = max_steps

    def fit(self, net):
        self.strategy.setup_environment()
        model = self.strategy.setup(net)
        opt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.0)
        for _ in range(self.max_steps):
            idx = torch.randint(0, 50304, (8, 256), device="cuda")
            model(idx).float().logsumexp(-1).mean().backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
        self.strategy.teardown()


Trainer(DDPStrategy(DistSettings())).fit(Net())
