# example: fairseq style: a classmethod pads the dictionary size and builds the model with cls(...); the embedding and the output layer take the padded size from __init__'s parameter; positive.
import torch.nn as nn


class Decoder(nn.Module):
    @classmethod
    def build_model(cls, args, dict_size):
        args.padded_dict_size = ((dict_size + 127) // 128) * 128
        return cls(args, args.padded_dict_size)

    def __init__(self, args, padded_size):
        super().__init__()
        self.embed_tokens = nn.Embedding(padded_size, args.dim)
        self.output_projection = nn.Linear(args.dim, padded_size, bias=False)

    def forward(self, tokens):
        return self.output_projection(self.embed_tokens(tokens))


class Args:
    dim = 768


model = Decoder.build_model(Args(), dict_size=50257)
