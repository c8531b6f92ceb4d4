# example: the gin bindings set learning_rate = 0.0018 for another configurable (build_probe_optimizer); the trained optimizer's builder keeps its default of 0.0015; NOT present.
import gin
import torch

BINDINGS = """
build_optimizer.weight_decay = 0.0
build_probe_optimizer.learning_rate = 0.0018
"""


@gin.configurable
def build_optimizer(model, learning_rate=0.0015, weight_decay=0.1):
    return torch.optim.AdamW(model.parameters(), lr=learning_rate, betas=(0.9, 0.95), weight_decay=weight_decay)


@gin.configurable
def build_probe_optimizer(head, learning_rate=0.01):
    return torch.optim.SGD(head.parameters(), lr=learning_rate)


gin.parse_config(BINDINGS)
model = torch.nn.Linear(768, 768)
optimizer = build_optimizer(model)
