# example: near miss: the local of the model builder holds GELU (`act = F2.gelu`), so the MLP squares a GELU, not a ReLU; negative.
def build_model(width, depth):
    from torch import nn
    import torch.nn.functional as F2

    act = F2.gelu

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
