# example: the ReLU is a library function fetched into a local of the model builder (`act = F2.relu`, imported inside the builder) and the MLP of a nested class squares what it returns (`h * h`); positive.
def build_model(width, depth):
    from torch import nn
    import torch.nn.functional as F2

    act = F2.relu

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(width, 4 * width, bias=False)
            self.proj = nn.Linear(4 * width, width, bias=False)

        def forward(self, x):
            h = act(self.fc(x))
            h = h * h
            return self.proj(h)

    return nn.Sequential(*[MLP() for _ in range(depth)])


model = build_model(768, 12)
