"""The melody model: a small causal transformer over note events.

Each position t reads the event before it (pitch and duration, or "start") and
where event t falls (its 16th within the bar, the metre, its bar within the
8-bar strain), and predicts event t's pitch (or rest) and duration as two
distributions. Causal self-attention with ALiBi distance penalties (no
absolute index embedding) lets it see the whole window (two 8-bar strains in
generation) and slide that window past its training length.

The part that adapts to a user's examples is small (STYLE_PREFIXES): a style
vector added to every input and the output head. Adapting only these keeps a
few support tunes from overwriting what the network knows about tunes in
general; which part and how fast it moves are learned by Meta-SGD.

The model is a pure function of its parameter dict (`transformer_forward`),
used by forward() (so by the engine's functional_call and vmap) and directly by
generation. Attention is written out (matmul + masked softmax) so it maps
under torch.func.vmap.

Input x: int64 [B, L, EVENT_FIELDS] (see vocab.py). Output: logits
[B, L, N_PITCH_TOKENS + N_DURATIONS]; row t predicts event t from events < t.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from workbench.domains.melody import vocab

PITCH_BOS = vocab.N_PITCH_TOKENS      # extra embedding row: "before the start"
DURATION_BOS = vocab.N_DURATIONS
STYLE_PREFIXES = ("style", "head.", "norm_out.")


class MelodyTransformer(nn.Module):
    def __init__(self, width: int = 96, layers: int = 3, heads: int = 4, window: int = 128):
        super().__init__()
        self.width, self.layers, self.heads, self.window = width, layers, heads, window
        self.pitch_embed = nn.Embedding(vocab.N_PITCH_TOKENS + 1, width)
        self.duration_embed = nn.Embedding(vocab.N_DURATIONS + 1, width)
        self.position_embed = nn.Embedding(vocab.N_POSITIONS, width)
        self.metre_embed = nn.Embedding(vocab.N_METRES, width)
        self.phrase_embed = nn.Embedding(vocab.N_PHRASE_BARS, width)
        self.style = nn.Parameter(torch.zeros(width))
        self.blocks = nn.ModuleList(Block(width) for _ in range(layers))
        self.norm_out = nn.LayerNorm(width)
        self.head = nn.Linear(width, vocab.N_PITCH_TOKENS + vocab.N_DURATIONS)
        for module in self.modules():
            if isinstance(module, nn.Embedding):
                nn.init.normal_(module.weight, std=0.3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return transformer_forward(dict(self.named_parameters()), x, self.layers, self.heads)


class Block(nn.Module):
    def __init__(self, width: int):
        super().__init__()
        self.norm1 = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)
        self.norm2 = nn.LayerNorm(width)
        self.ff1 = nn.Linear(width, 2 * width)
        self.ff2 = nn.Linear(2 * width, width)


def alibi_slopes(heads: int) -> torch.Tensor:
    return torch.tensor([2.0 ** (-8.0 * (h + 1) / heads) for h in range(heads)])


def attention_bias(queries: int, keys: int, heads: int, device) -> torch.Tensor:
    """[H, Q, K]: -slope * distance from each of the last `queries` events to every earlier one,
    -inf for later ones (causal)."""
    query_index = torch.arange(keys - queries, keys, device=device)
    distance = (query_index[:, None] - torch.arange(keys, device=device)[None, :]).float()
    bias = -alibi_slopes(heads).to(device)[:, None, None] * distance
    return bias.masked_fill(distance < 0, float("-inf"))


def embed(p: dict[str, torch.Tensor], previous_pitch, previous_duration, position, metre, phrase) -> torch.Tensor:
    """One input vector per event: what came before it, and where it falls in the bar and strain."""
    return (F.embedding(previous_pitch, p["pitch_embed.weight"])
            + F.embedding(previous_duration, p["duration_embed.weight"])
            + F.embedding(position, p["position_embed.weight"])
            + F.embedding(metre, p["metre_embed.weight"])
            + F.embedding(phrase, p["phrase_embed.weight"])
            + p["style"])


def inputs(p: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """[B, L, W] input vectors of a whole event sequence (the first event follows "start")."""
    valid = x[..., vocab.VALID] > 0
    pitch = torch.where(valid, x[..., vocab.PITCH], PITCH_BOS)
    duration = torch.where(valid, x[..., vocab.DURATION], DURATION_BOS)
    return embed(p, F.pad(pitch[:, :-1], (1, 0), value=PITCH_BOS), F.pad(duration[:, :-1], (1, 0), value=DURATION_BOS),
                 x[..., vocab.POSITION], x[..., vocab.METRE], x[..., vocab.PHRASE])


def transformer_forward(p: dict[str, torch.Tensor], x: torch.Tensor, layers: int, heads: int) -> torch.Tensor:
    return decode(p, inputs(p, x), layers, heads)[0]


def decode(p: dict[str, torch.Tensor], h: torch.Tensor, layers: int, heads: int, cache=None, window: int = 0):
    """Logits for the input vectors h [B, T, W] that follow the events held in `cache` (the keys and
    values of each layer, or None at the start). Returns (logits [B, T, V], the new cache); with
    window > 0 the cache keeps only the last `window` events (generation slides past it)."""
    batch, length, width = h.shape
    size = width // heads
    past = cache[0][0].shape[2] if cache is not None else 0
    keys = min(past + length, window) if window else past + length
    bias = attention_bias(length, keys, heads, h.device)   # the same for every layer
    new_cache = []
    for i in range(layers):
        b = f"blocks.{i}."
        a = F.layer_norm(h, (width,), p[b + "norm1.weight"], p[b + "norm1.bias"])
        q, k, v = F.linear(a, p[b + "qkv.weight"], p[b + "qkv.bias"]).split(width, dim=-1)
        q, k, v = (t.reshape(batch, length, heads, size).transpose(1, 2) for t in (q, k, v))
        if cache is not None:
            k, v = torch.cat([cache[i][0], k], dim=2), torch.cat([cache[i][1], v], dim=2)
        if window:
            k, v = k[:, :, -window:], v[:, :, -window:]
        new_cache.append((k, v))
        scores = q @ k.transpose(-1, -2) / math.sqrt(size) + bias
        mixed = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(batch, length, width)
        h = h + F.linear(mixed, p[b + "proj.weight"], p[b + "proj.bias"])
        a = F.layer_norm(h, (width,), p[b + "norm2.weight"], p[b + "norm2.bias"])
        h = h + F.linear(F.gelu(F.linear(a, p[b + "ff1.weight"], p[b + "ff1.bias"])), p[b + "ff2.weight"], p[b + "ff2.bias"])
    h = F.layer_norm(h, (width,), p["norm_out.weight"], p["norm_out.bias"])
    return F.linear(h, p["head.weight"], p["head.bias"]), new_cache


def split_logits(logits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return logits[..., :vocab.N_PITCH_TOKENS], logits[..., vocab.N_PITCH_TOKENS:]


def event_nll(logits: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-event negative log-likelihood (pitch + duration, nats) and the valid mask, both [B, L]."""
    pitch_logits, duration_logits = split_logits(logits)
    pitch_nll = -torch.log_softmax(pitch_logits, dim=-1).gather(-1, x[..., vocab.PITCH:vocab.PITCH + 1]).squeeze(-1)
    duration_nll = -torch.log_softmax(duration_logits, dim=-1).gather(
        -1, x[..., vocab.DURATION:vocab.DURATION + 1]).squeeze(-1)
    mask = x[..., vocab.VALID].to(logits.dtype)
    return (pitch_nll + duration_nll) * mask, mask
