# example: the same gin configurable builder, but the bindings string only sets the weight decay: the peak rate stays at its default of 0.0015; NOT present.
import gin
import torch

BINDINGS = """
build_optimizer.weight_decay = 0.0
"""


@gin.configurable
def build_optimizer(model, learning_rate=0.0015, weight_decay=0.1):
    return torch.optim.AdamW(model.parameters(), lr=learning_rate, betas=(0.9, 0.95), weight_decay=weight_decay)


gin.parse_config(BINDINGS)
model = torch.nn.Linear(768, 768)
optimizer = build_optimizer(model)
