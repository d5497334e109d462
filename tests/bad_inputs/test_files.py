"""Bad data files and caches: a clear error naming the file and the fix, never a silently
different data set; a cached model that cannot be trusted is announced, then retrained."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from catalogue import cli, cli_process, only_new_run, snapshot, write_config


def config_for(tmp_path: Path, dataset: str, model: str = "linear") -> Path:
    config = tmp_path / "p.toml"
    config.write_text(f"dataset = {dataset}\nmodel = \"{model}\"\nmetrics = [\"acc\"]\n"
                      "[training]\nepochs = 1\n")
    return config


def csv(path: Path, labels: list[int]) -> str:
    rng = np.random.default_rng(0)
    rows = ["a,b,c,d,label"] + [",".join(f"{v:.3f}" for v in rng.random(4)) + f",{k}"
                                for k in labels]
    path.write_text("\n".join(rows) + "\n")
    return str(path)


def test_csv_label_far_outside_the_classes(host, store, tmp_path):
    train = csv(tmp_path / "train.csv", [0, 1, 2, 0, 1, 2, 99999, 1])
    test = csv(tmp_path / "test.csv", [0, 1, 2])
    config = config_for(tmp_path, f'{{ name = "arrays", train = "{train}", test = "{test}", '
                        'label_column = "label" }')
    before = snapshot(store)
    result = cli("run", config, "--store", store)
    assert result.exit_code == 2
    assert ("train.csv: labels reach 99999, so 100000 classes, but 99996 of them have no "
            "training sample (3, 4, 5, 6, 7, ...)") in result.output
    assert "declare num_classes" in result.output
    run = only_new_run(before, store, "failed")
    assert run["metrics"] == {}


def test_csv_label_outside_declared_classes(host, store, tmp_path):
    train = csv(tmp_path / "train.csv", [0, 1, 2, 0, 1, 2])
    test = csv(tmp_path / "test.csv", [0, 1, 3])
    config = config_for(tmp_path, f'{{ name = "arrays", train = "{train}", test = "{test}", '
                        'label_column = "label", num_classes = 3 }')
    result = cli("run", config, "--store", store)
    assert result.exit_code == 2
    assert "test.csv: has label 3 but num_classes is 3 (labels must lie in [0, 2])" in \
        result.output


def _png(path: Path, value: int) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("L", (8, 8), color=value).save(path)


def test_image_folder_with_a_stray_file(host, store, tmp_path):
    root = tmp_path / "images"
    for split in ("train", "test"):
        for k, cls in enumerate(("cat", "dog")):
            _png(root / split / cls / "0.png", 60 + 100 * k)
    (root / "train" / "dog" / "notes.txt").write_text("photographed 2024")
    (root / "train" / "cat" / ".DS_Store").write_text("hidden files are ignored")
    config = config_for(tmp_path, f'{{ name = "image-folder", path = "{root}", size = [8, 8],'
                        ' mode = "L" }', model="small-cnn")
    before = snapshot(store)
    result = cli("run", config, "--store", store)
    assert result.exit_code == 2
    assert "train/dog: holds 1 entry that are not images (notes.txt)" in result.output
    assert "Move them out of the data folder" in result.output
    only_new_run(before, store, "failed")


def test_mnist_header_with_huge_dimensions(host, store, tmp_path):
    folder = tmp_path / "mnist"
    folder.mkdir()
    huge = (2**31).to_bytes(4, "big")
    for stem in ("train-images-idx3-ubyte", "t10k-images-idx3-ubyte"):
        (folder / stem).write_bytes(b"\x00\x00\x08\x03" + huge * 3)
    for stem in ("train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte"):
        (folder / stem).write_bytes(b"\x00\x00\x08\x01" + (1).to_bytes(4, "big") + b"\x00")
    config = config_for(tmp_path, f'{{ name = "mnist-idx", path = "{folder}" }}',
                        model="small-cnn")
    result = cli("run", config, "--store", store)
    assert result.exit_code == 2
    assert (f"truncated: header promises (2147483648, 2147483648, 2147483648) = "
            f"{2**93} bytes of data, the file holds 0") in result.output
    assert "-" not in result.output.split("bytes of data")[0].split("= ")[-1]


def test_cached_model_replaced_by_a_refused_pickle(host, tmp_path):
    """The tampered file is refused (its payload never runs), the user is told, the model is
    retrained and the cache file replaced by a loadable one."""
    import pickle

    import torch

    store = tmp_path / "r.db"
    config = write_config(tmp_path / "p.toml")
    assert cli("run", config, "--store", store).exit_code == 0
    (cached,) = (tmp_path / "cache").rglob("*.pt")
    marker = tmp_path / "payload-ran"

    class Payload:
        def __reduce__(self):
            import os

            return os.system, (f"touch {marker}",)

    cached.write_bytes(pickle.dumps(Payload()))
    proc = cli_process("run", config, "--store", store)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert f"warning: cached model {cached} was refused (UnpicklingError" in err
    assert "retraining, and replacing the file with the new model" in err
    assert not marker.exists()
    assert "state" in torch.load(cached, weights_only=True)  # replaced by a real model
