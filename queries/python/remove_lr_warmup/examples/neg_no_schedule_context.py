# example: a schedule helper without any warmup, but no optimizer is constructed and nothing consumes the LR (utility module only); negative (removal needs an optimizer/schedule context).
TOTAL_STEPS = 3200
WARMDOWN = 914


def lr_scale(step: int) -> float:
    if step < TOTAL_STEPS - WARMDOWN:
        return 1.0
    return (TOTAL_STEPS - step) / WARMDOWN


def describe() -> str:
    points = [lr_scale(s) for s in range(0, TOTAL_STEPS + 1, 400)]
    return ", ".join(f"{p:.2f}" for p in points)


if __name__ == "__main__":
    print(describe())
