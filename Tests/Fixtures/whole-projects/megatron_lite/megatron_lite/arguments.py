"""Command line arguments, Megatron style: grouped argparse helpers."""
import argparse


def _add_network_size_args(parser):
    group = parser.add_argument_group(title="network size")
    group.add_argument("--num-layers", type=int, default=12)
    group.add_argument("--hidden-size", type=int, default=768)
    group.add_argument("--num-attention-heads", type=int, default=12)
    group.add_argument("--ffn-hidden-size", type=int, default=None,
                       help="defaults to 4 * hidden-size")
    group.add_argument("--position-embedding-type", type=str, default="rope",
                       choices=["learned_absolute", "rope"])
    group.add_argument("--rotary-base", type=float, default=10000.0)
    group.add_argument("--make-vocab-size-divisible-by", type=int, default=8,
                       help="pad vocab so that it is divisible by this value "
                            "(times tensor model parallel size)")
    group.add_argument("--max-position-embeddings", type=int, default=1024)
    return parser


def _add_training_args(parser):
    group = parser.add_argument_group(title="training")
    group.add_argument("--micro-batch-size", type=int, default=32)
    group.add_argument("--seq-length", type=int, default=1024)
    group.add_argument("--train-iters", type=int, default=5100)
    group.add_argument("--eval-interval", type=int, default=125)
    group.add_argument("--eval-iters", type=int, default=20)
    group.add_argument("--log-interval", type=int, default=10)
    group.add_argument("--bf16", action="store_true", default=True)
    group.add_argument("--seed", type=int, default=1234)
    return parser


def _add_learning_rate_args(parser):
    group = parser.add_argument_group(title="learning rate")
    group.add_argument("--lr", type=float, default=0.0036,
                       help="peak LR of the Adam (embedding/output) group")
    group.add_argument("--matrix-lr-ratio", type=float, default=0.1,
                       help="LR of the orthogonalised hidden-matrix optimizer as a fraction of --lr")
    group.add_argument("--lr-warmup-iters", type=int, default=0)
    group.add_argument("--lr-decay-style", type=str, default="wsd",
                       choices=["wsd", "linear", "constant"])
    group.add_argument("--lr-wsd-decay-iters", type=int, default=1450)
    return parser


def _add_optimizer_args(parser):
    group = parser.add_argument_group(title="optimizer")
    group.add_argument("--adam-beta1", type=float, default=0.9)
    group.add_argument("--adam-beta2", type=float, default=0.95)
    group.add_argument("--adam-eps", type=float, default=1e-8)
    group.add_argument("--weight-decay", type=float, default=0.0)
    group.add_argument("--use-fused-adam", action="store_true", default=True)
    group.add_argument("--ns-momentum", type=float, default=0.95)
    group.add_argument("--ns-steps", type=int, default=5)
    return parser


def _add_data_args(parser):
    group = parser.add_argument_group(title="data")
    group.add_argument("--data-path", type=str, default="data/fineweb10B/fineweb_train_*.bin")
    group.add_argument("--valid-data-path", type=str, default="data/fineweb10B/fineweb_val_*.bin")
    group.add_argument("--orig-vocab-size", type=int, default=50257)
    return parser


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="megatron-lite GPT pretraining")
    for adder in (_add_network_size_args, _add_training_args, _add_learning_rate_args,
                  _add_optimizer_args, _add_data_args):
        parser = adder(parser)
    args = parser.parse_args(argv)
    if args.ffn_hidden_size is None:
        args.ffn_hidden_size = 4 * args.hidden_size
    args.kv_channels = args.hidden_size // args.num_attention_heads
    return args


def vocab_size_with_padding(orig_vocab_size, args, tp_world_size=1):
    """Pad vocab size so it is divisible by model parallel size and
    still having GPU friendly size."""
    multiple = args.make_vocab_size_divisible_by * tp_world_size
    after = orig_vocab_size
    while (after % multiple) != 0:
        after += 1
    return after
