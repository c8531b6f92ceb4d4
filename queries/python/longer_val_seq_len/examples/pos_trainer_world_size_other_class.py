# example: a trainer's validation batch (self.world_size * args.val_seq_len, 256K against 48K) while an optimizer class defaults its own self.world_size to 1; positive.
import os
import torch
def distributed_data_generator(filename_pattern, batch_size, rank, world_size):
    local_batch_size = batch_size // world_size
    pos = 0
    tokens = torch.load(filename_pattern)
    while True:
        buf = tokens[pos + rank * local_batch_size:][:local_batch_size + 1]
        pos += batch_size
        yield buf[:-1], buf[1:]

class ShardedOpt(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, rank=0, world_size=1):
        self.rank = rank
        self.world_size = world_size
        super().__init__(params, dict(lr=lr))

class Trainer:
    def __init__(self, model, args, rank, world_size):
        self.model = model
        self.args, self.rank, self.world_size = args, rank, world_size

    @torch.no_grad()
    def validate(self):
        args = self.args
        self.model.eval()
        val_batch_size = self.world_size * args.val_seq_len
        val_steps = args.val_tokens // val_batch_size
        val_loader = distributed_data_generator(args.val_files, val_batch_size, self.rank, self.world_size)
        val_loss = 0
        for _ in range(val_steps):
            x, y = next(val_loader)
            val_loss += self.model(x, y)
        self.model.train()
        return val_loss

    def fit(self):
        args = self.args
        train_loader = distributed_data_generator(args.train_files, self.world_size * args.train_seq_len, self.rank, self.world_size)
        for step in range(args.num_iterations + 1):
            if step % 100 == 0:
                self.validate()
            inputs, targets = next(train_loader)
            for x, y in zip(inputs.split(args.train_seq_len), targets.split(args.train_seq_len)):
                self.model(x, y).backward()

class Hyperparameters:
    train_files = "a"
    val_files = "b"
    val_tokens = 10485760
    train_seq_len = 48*1024
    val_seq_len = 4*64*1024
    num_iterations = 1770

def main():
    args = Hyperparameters()
    model = torch.nn.Linear(2, 2)
    world_size = int(os.environ["WORLD_SIZE"])
    opt = ShardedOpt(model.parameters(), world_size=world_size)
    trainer = Trainer(model, args, 0, world_size)
    trainer.fit()
main()
