"""The melody model: an MLP over a window of the previous note events.

Why an MLP over a context window rather than a GRU or transformer: on a 2-core
CPU adaptation and sampling must take well under 300 ms, and the model must be
vmappable for meta-training (torch.func over nn.GRU is not). Each prediction
looks at the previous CONTEXT events (pitch + duration embeddings), plus the
bar position and metre of the event being predicted, and outputs two
independent distributions: the pitch (or rest) and the duration of that event.

Input x: int64 [B, L, EVENT_FIELDS] (see vocab.py). Output: logits
[B, L, N_PITCH_TOKENS + N_DURATIONS]; row t predicts event t from events < t.
With last_only=True only the last row is computed (generation).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from workbench.domains.melody import vocab

PITCH_BOS = vocab.N_PITCH_TOKENS      # extra embedding row: "before the start"
DURATION_BOS = vocab.N_DURATIONS


class MelodyMLP(nn.Module):
    def __init__(self, context: int = 12, embed: int = 12, hidden: int = 128):
        super().__init__()
        self.context = context
        self.pitch_embed = nn.Embedding(vocab.N_PITCH_TOKENS + 1, embed)
        self.duration_embed = nn.Embedding(vocab.N_DURATIONS + 1, embed)
        self.position_embed = nn.Embedding(vocab.N_POSITIONS, embed)
        self.metre_embed = nn.Embedding(vocab.N_METRES, embed)
        self.body = nn.Sequential(
            nn.Linear(context * 2 * embed + 2 * embed, hidden), nn.GELU(),
            nn.Linear(hidden, hidden), nn.GELU(),
        )
        self.head = nn.Linear(hidden, vocab.N_PITCH_TOKENS + vocab.N_DURATIONS)

    def forward(self, x: torch.Tensor, last_only: bool = False) -> torch.Tensor:
        return mlp_forward(dict(self.named_parameters()), x, self.context, last_only)


def mlp_forward(p: dict[str, torch.Tensor], x: torch.Tensor, context: int, last_only: bool = False) -> torch.Tensor:
    """The model as a pure function of its parameter dict: used by forward() (so by the engine's
    functional_call) and directly by generation, where functional_call's per-call cost would dominate."""
    length = x.shape[1]
    valid = x[..., vocab.VALID] > 0
    pitch = torch.where(valid, x[..., vocab.PITCH], PITCH_BOS)
    duration = torch.where(valid, x[..., vocab.DURATION], DURATION_BOS)
    pitch = F.pad(pitch, (context, 0), value=PITCH_BOS)
    duration = F.pad(duration, (context, 0), value=DURATION_BOS)
    first = length - 1 if last_only else 0
    rows = torch.arange(first, length, device=x.device)
    index = rows[:, None] + torch.arange(context, device=x.device)[None, :]  # [R, C]: the events before each row
    window = torch.cat([
        F.embedding(pitch[:, index], p["pitch_embed.weight"]),          # [B, R, C, E]
        F.embedding(duration[:, index], p["duration_embed.weight"]),
    ], dim=-1).flatten(-2)
    target = x[:, first:]
    features = torch.cat([
        window,
        F.embedding(target[..., vocab.POSITION], p["position_embed.weight"]),
        F.embedding(target[..., vocab.METRE], p["metre_embed.weight"]),
    ], dim=-1)
    hidden = F.gelu(F.linear(features, p["body.0.weight"], p["body.0.bias"]))
    hidden = F.gelu(F.linear(hidden, p["body.2.weight"], p["body.2.bias"]))
    return F.linear(hidden, p["head.weight"], p["head.bias"])


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
