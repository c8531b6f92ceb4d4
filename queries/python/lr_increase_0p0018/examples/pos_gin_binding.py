# example: the optimizer builder is a gin configurable whose peak rate defaults to 0.0015; the bindings string the script parses with gin.parse_config sets build_optimizer.learning_rate = 0.0018; present.
import gin
import torch

BINDINGS = """
build_optimizer.learning_rate = 0.0018
build_optimizer.weight_decay = 0.0
"""


@gin.configurable
def build_optimizer(model, learning_rate=0.0015, weight_decay=0.1):
    return torch.optim.AdamW(model.parameters(), lr=learning_rate, betas=(0.9, 0.95), weight_decay=weight_decay)


gin.parse_config(BINDINGS)
model = torch.nn.Linear(768, 768)
optimizer = build_optimizer(model)
