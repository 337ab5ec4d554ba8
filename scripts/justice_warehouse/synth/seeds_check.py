"""Compare the committed synthetic seeds and deliveries with what the generators write."""

from __future__ import annotations

import tempfile
from pathlib import Path

from justice_warehouse.gate.deliveries import bundled_delivery_date
from justice_warehouse.synth import sequence
from justice_warehouse.synth.generate import write_seeds
from justice_warehouse.synth.register import DEFAULT_SEED


def _compare_folder(committed_dir: Path, generated_dir: Path) -> list[str]:
    differences = []
    for generated in sorted(generated_dir.rglob("*.csv")):
        committed = committed_dir / generated.relative_to(generated_dir)
        if not committed.is_file():
            differences.append(f"{committed} is missing")
        elif committed.read_bytes() != generated.read_bytes():
            differences.append(f"{committed} differs from the generator's output")
    return differences


def compare_with_generator(seed_dir: Path, seed: int = DEFAULT_SEED) -> list[str]:
    """Names of the row-level seeds whose committed bytes differ from a fresh generation."""
    with tempfile.TemporaryDirectory() as tmp:
        write_seeds(Path(tmp), seed=seed)
        return _compare_folder(seed_dir, Path(tmp))


def compare_deliveries_with_generator(
    root: Path, deliveries_dir: Path, seed: int = DEFAULT_SEED
) -> list[str]:
    """The same for the delivery sequence, and its link to the bundled delivery."""
    bundled = bundled_delivery_date(root)
    first = deliveries_dir / bundled.isoformat()
    differences = []
    if not first.is_symlink() or first.resolve() != (root / "seeds" / "synthetic").resolve():
        differences.append(f"{first} is not a link to seeds/synthetic")
    with tempfile.TemporaryDirectory() as tmp:
        generated = Path(tmp) / "deliveries"
        sequence.write_deliveries(generated, root / "seeds" / "synthetic", bundled, seed)
        differences += _compare_folder(deliveries_dir, generated)
        expected = {path.name for path in generated.iterdir()}
        extra = sorted(p.name for p in deliveries_dir.iterdir() if p.name not in expected)
        differences += [
            f"{deliveries_dir / name} is not written by the generator" for name in extra
        ]
    return differences
