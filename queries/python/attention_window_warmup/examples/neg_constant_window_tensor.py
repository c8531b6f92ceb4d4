# example: a window tensor is rebuilt every step but its value is always 1024, so the window never grows; NOT window warmup.
import torch

NUM_ITERATIONS = 1750
WINDOW = 1024


def train(model, loader, optimizer):
    for step in range(NUM_ITERATIONS + 1):
        window = torch.tensor(WINDOW, dtype=torch.int, device="cuda")
        x, y = loader.next_batch()
        loss = model(x, y, window)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
