import json

import pytest

from robustkit import ConfigError, Pipeline, load_pipeline

TOML = """
dataset = "digits"
model = { name = "small-cnn", channels = 16 }
perturbations = [{ name = "gaussian-noise", severity = [2, 4] }]
metrics = ["accuracy"]
seed = 3
[training]
epochs = 2
"""


def test_toml_json_yaml_and_python_build_the_same_object(tmp_path):
    import yaml

    from_toml = tmp_path / "p.toml"
    from_toml.write_text(TOML)
    a = load_pipeline(from_toml)
    (tmp_path / "p.json").write_text(json.dumps(a.to_dict()))
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(a.to_dict()))
    b = load_pipeline(tmp_path / "p.json")
    c = load_pipeline(tmp_path / "p.yaml")
    d = Pipeline(dataset="digits", model={"name": "small-cnn", "params": {"channels": 16}},
                 perturbations=[{"name": "gaussian-noise", "severity": [2, 4]}],
                 metrics=["accuracy"], seed=3, training={"epochs": 2})
    assert a == b == c == d
    assert a.model.params == {"channels": 16}


def test_malformed_toml_names_file_and_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('dataset = "digits"\nmodel = small-cnn\n')
    with pytest.raises(ConfigError, match=r"bad\.toml: malformed TOML.*line 2"):
        load_pipeline(path)


def test_malformed_json_names_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n "dataset": "digits",\n "model": }\n')
    with pytest.raises(ConfigError, match=r"bad\.json: malformed JSON at line 3"):
        load_pipeline(path)


def test_malformed_yaml_names_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("dataset: digits\nmodel: [small-cnn\nseed: 1\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml: malformed YAML at line \d"):
        load_pipeline(path)


def test_yaml_cannot_construct_python_objects(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("dataset: !!python/object/apply:os.system ['echo pwned']\nmodel: m\n")
    with pytest.raises(ConfigError, match="malformed YAML"):
        load_pipeline(path)


def test_wrong_field_is_named(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('dataset = "digits"\nmodel = "mlp"\n[training]\nepochs = -1\n')
    with pytest.raises(ConfigError, match=r"(?s)p\.toml.*training\.epochs.*greater than or equal"):
        load_pipeline(path)


def test_unknown_top_level_key_is_named(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('dataset = "digits"\nmodel = "mlp"\nepochz = 3\n')
    with pytest.raises(ConfigError, match="epochz"):
        load_pipeline(path)


def test_unknown_suffix_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="suffix"):
        load_pipeline(tmp_path / "p.ini")
    with pytest.raises(ConfigError, match="not found"):
        load_pipeline(tmp_path / "missing.toml")
