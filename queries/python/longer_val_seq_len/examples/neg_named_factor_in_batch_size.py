# example: the training batch is BATCH_TOKENS = 8 * 64 * TOKENS_PER_ROW, with its factor named (TOKENS_PER_ROW = 1024), and validation reads world_size * SEQ_LEN tokens, the length training splits its batch by; the named factor is no training sequence length, so NOT present.
import os

import torch

TOKENS_PER_ROW = 1024
BATCH_TOKENS = 8 * 64 * TOKENS_PER_ROW
SEQ_LEN = 64 * 1024
VAL_TOKENS = 10485760


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, rank=0, world_size=1):
        self.rank, self.world_size = rank, world_size
        super().__init__(params, dict(lr=lr, momentum=momentum))


def batches(tokens, batch_size, rank, world_size):
    local = batch_size // world_size
    pos = rank * local
    while pos + batch_size + 1 <= len(tokens):
        buf = tokens[pos:pos + local + 1]
        yield buf[:-1], buf[1:]
        pos += batch_size


rank, world_size = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
train_tokens, val_tokens = torch.load("train.pt"), torch.load("val.pt")
model = torch.nn.Linear(8, 8).cuda()
opt = Muon(model.parameters(), rank=rank, world_size=world_size)
train_loader = batches(train_tokens, BATCH_TOKENS, rank, world_size)
for step in range(1000):
    if step % 125 == 0:
        model.eval()
        val_bs = world_size * SEQ_LEN
        val_loader = batches(val_tokens, val_bs, rank, world_size)
        with torch.no_grad():
            val_loss = sum(model(*next(val_loader)) for _ in range(VAL_TOKENS // val_bs))
    model.train()
    inputs, targets = next(train_loader)
    for x, y in zip(inputs.split(SEQ_LEN), targets.split(SEQ_LEN)):
        model(x, y).backward()
    opt.step()
