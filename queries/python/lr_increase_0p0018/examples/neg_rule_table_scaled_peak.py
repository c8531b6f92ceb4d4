# example: the same rule-table builder with a 0.0018 peak, but the only rule scales it by 0.5, so AdamW runs at 0.0009; negative.
import torch

RUN = {
    "peak_lr": 0.0018,
    "rules": [{"match": lambda n, p: True, "opt": "AdamW", "scale": 0.5, "wd": 0.1}],
}
OPTS = {"AdamW": torch.optim.AdamW}


def build(model, rules, base_lr):
    per_opt = {}
    for name, p in model.named_parameters():
        for rule in rules:
            if rule["match"](name, p):
                group = {"params": [p], "lr": base_lr * rule["scale"], "weight_decay": rule["wd"]}
                per_opt.setdefault(rule["opt"], []).append(group)
                break
    return [OPTS[kind](groups) for kind, groups in per_opt.items()]


model = torch.nn.Sequential(torch.nn.Embedding(512, 64), torch.nn.Linear(64, 512))
opts = build(model, RUN["rules"], RUN["peak_lr"])
for step in range(100):
    loss = model(torch.randint(0, 512, (4, 32))).logsumexp(-1).mean()
    loss.backward()
    for opt in opts:
        opt.step()
        opt.zero_grad(set_to_none=True)
