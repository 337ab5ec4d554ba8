"""Compare the committed synthetic seeds with what the generator writes."""

from __future__ import annotations

import tempfile
from pathlib import Path

from justice_warehouse import generate


def compare_with_generator(seed_dir: Path, seed: int = generate.DEFAULT_SEED) -> list[str]:
    """Names of the row-level seeds whose committed bytes differ from a fresh generation."""
    differences = []
    with tempfile.TemporaryDirectory() as tmp:
        for written in generate.write_seeds(Path(tmp), seed=seed):
            committed = seed_dir / written.path.name
            if not committed.is_file():
                differences.append(f"{committed} is missing")
            elif committed.read_bytes() != written.path.read_bytes():
                differences.append(f"{committed} differs from the generator's output")
    return differences
