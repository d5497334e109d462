"""The TIMIT-layout loader on small generated corpora, and its refusals of damaged files."""

from pathlib import Path

import numpy as np
import pytest
import scipy.io.wavfile
from robustkit_speech.audio import features, read_audio
from robustkit_speech.params import TimitParams
from robustkit_speech.sequences import PAD, input_lengths, label_lengths, phone_sequences
from robustkit_speech.timit import Timit

from robustkit.errors import DataError

RATE = 16000
TONES = {"h#": None, "aa": 500.0, "b": 1500.0, "k": 3000.0}
LEXICON = {"ab": ["aa", "b"], "k": ["k"], "kab": ["k", "aa", "b"]}


def _render(phones, rng):
    samples, segments, t = [], [], 0
    for ph in phones:
        n = int(rng.integers(1200, 2400))
        tone = TONES[ph]
        time = np.arange(n) / RATE
        sig = 0.001 * rng.standard_normal(n) if tone is None else 0.3 * np.sin(2 * np.pi * tone
                                                                                 * time)
        samples.append(sig)
        segments.append((t, t + n, ph))
        t += n
    return np.concatenate(samples), segments


def write_utterance(folder: Path, name: str, words, rng, sphere=False):
    folder.mkdir(parents=True, exist_ok=True)
    phones = ["h#", *[p for w in words for p in LEXICON[w]], "h#"]
    audio, segments = _render(phones, rng)
    pcm = (audio * 32767).astype(np.int16)
    wav = folder / f"{name}.WAV"
    if sphere:
        header = (f"NIST_1A\n   1024\nsample_rate -i {RATE}\nsample_count -i {pcm.size}\n"
                  "channel_count -i 1\nsample_n_bytes -i 2\nsample_byte_format -s2 01\n"
                  "sample_coding -s3 pcm\nend_head\n").encode()
        wav.write_bytes(header.ljust(1024, b" ") + pcm.astype("<i2").tobytes())
    else:
        scipy.io.wavfile.write(wav, RATE, pcm)
    (folder / f"{name}.PHN").write_text("".join(f"{s} {e} {p}\n" for s, e, p in segments))
    lines, i = [], 1
    for w in words:
        first, last = segments[i], segments[i + len(LEXICON[w]) - 1]
        lines.append(f"{first[0]} {last[1]} {w}\n")
        i += len(LEXICON[w])
    (folder / f"{name}.WRD").write_text("".join(lines))
    return wav


@pytest.fixture()
def corpus_dir(tmp_path):
    rng = np.random.default_rng(0)
    plans = [["ab", "k"], ["k", "ab"], ["kab"], ["ab", "kab"]]
    for i, words in enumerate(plans):
        write_utterance(tmp_path / "TRAIN" / "DR1" / f"SPK{i % 2}", f"SX{i}", words, rng)
    write_utterance(tmp_path / "TEST" / "DR1" / "SPKT", "SA1", ["k", "ab"], rng)
    write_utterance(tmp_path / "TEST" / "DR1" / "SPKT", "SA2", ["kab"], rng, sphere=True)
    return tmp_path


def load(root, **kw):
    return Timit(TimitParams(root=str(root), **kw)).load(0)


def test_loads_frames_labels_and_lexicon(corpus_dir):
    data = load(corpus_dir)
    data.validate("timit")
    info = data.info
    assert info.class_names == ("aa", "b", "h#", "k")
    assert info.input_shape[1] == 26
    assert data.x_train.shape[0] == 4 and data.x_test.shape[0] == 2
    assert info.extra["lexicon"] == {w: tuple(p) for w, p in LEXICON.items()}
    assert info.extra["sample_rate"] == RATE
    names = info.class_names
    seqs = [[names[i] for i in s] for s in phone_sequences(data.y_test)]
    assert seqs == [["h#", "k", "aa", "b", "h#"], ["h#", "k", "aa", "b", "h#"]]
    assert data.extras["words_test"] == [["k", "ab"], ["kab"]]
    assert sorted(Path(f).suffix for f in data.extras["files_test"]) == [".WAV", ".WAV"]
    assert (data.y_train[data.y_train != PAD] >= 0).all()
    assert np.array_equal(input_lengths(data.x_test).numpy(), label_lengths(data.y_test).numpy())


def test_frames_follow_the_phone_timing(corpus_dir):
    """At 10 ms hops, a phone of n samples spans about n / 160 frames."""
    data = load(corpus_dir)
    phn = (corpus_dir / "TEST" / "DR1" / "SPKT" / "SA1.PHN").read_text().split("\n")
    segs = [tuple(line.split()) for line in phn if line]
    counts = np.bincount(data.y_test[0][data.y_test[0] != PAD].numpy(), minlength=4)
    names = data.info.class_names
    for s, e, ph in segs[1:-1]:  # h# appears twice, the others once here
        expected = (int(e) - int(s)) / 160
        assert abs(counts[names.index(ph)] - expected) <= 1.5


def test_mfcc_and_max_frames(corpus_dir):
    data = load(corpus_dir, features="mfcc", n_mfcc=13, max_frames=400)
    assert data.info.input_shape == (400, 13)
    with pytest.raises(DataError, match="raise max_frames"):
        load(corpus_dir, max_frames=20)


def test_log_mel_peaks_at_the_tone():
    time = np.arange(RATE) / RATE
    low = features(np.sin(2 * np.pi * 300 * time), RATE).mean(0)
    high = features(np.sin(2 * np.pi * 4000 * time), RATE).mean(0)
    assert np.argmax(low) < 6 < np.argmax(high)


def test_sphere_and_riff_read_alike(tmp_path):
    a = write_utterance(tmp_path / "a", "X", ["ab"], np.random.default_rng(1))
    b = write_utterance(tmp_path / "b", "X", ["ab"], np.random.default_rng(1), sphere=True)
    (ra, xa), (rb, xb) = read_audio(a), read_audio(b)
    assert ra == rb == RATE and np.array_equal(xa, xb)


def _corrupt(corpus_dir, name, content: bytes | str):
    path = corpus_dir / "TRAIN" / "DR1" / "SPK0" / name
    if isinstance(content, str):
        path.write_text(content)
    else:
        path.write_bytes(content)
    return path


def test_rejects_a_corrupt_wav(corpus_dir):
    path = _corrupt(corpus_dir, "SX0.WAV", b"RIFF\x00\x00garbage" * 3)
    with pytest.raises(DataError, match="SX0.WAV: not a readable WAV"):
        load(corpus_dir)
    assert path.exists()


def test_rejects_a_truncated_sphere(corpus_dir):
    path = corpus_dir / "TEST" / "DR1" / "SPKT" / "SA2.WAV"
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(DataError, match="SA2.WAV: SPHERE header promises .* truncated"):
        load(corpus_dir)


def test_rejects_a_compressed_sphere(corpus_dir):
    path = corpus_dir / "TEST" / "DR1" / "SPKT" / "SA2.WAV"
    path.write_bytes(path.read_bytes().replace(b"-s3 pcm", b"-s20 pcm,embedded-shorten-v2.00"))
    with pytest.raises(DataError, match="sph2pipe"):
        load(corpus_dir)


@pytest.mark.parametrize("content,message", [
    ("0 1200 h#\n1200 oops aa\n", r"SX0.PHN, line 2: expected 'start end label'"),
    ("0 1200 h#\n1200 1100 aa\n", r"line 2: segment ends \(1100\) before it starts"),
    ("0 1200 h#\n999999 1000000 aa\n", "does not belong to this audio"),
    ("", "holds no segments"),
])
def test_rejects_bad_phone_files(corpus_dir, content, message):
    _corrupt(corpus_dir, "SX0.PHN", content)
    with pytest.raises(DataError, match=message):
        load(corpus_dir)


def test_rejects_missing_files_and_layout(corpus_dir, tmp_path_factory):
    (corpus_dir / "TRAIN" / "DR1" / "SPK1" / "SX1.WRD").unlink()
    with pytest.raises(DataError, match="SX1.WRD: missing"):
        load(corpus_dir)
    empty = tmp_path_factory.mktemp("empty")
    (empty / "TRAIN").mkdir()
    with pytest.raises(DataError, match="no TEST directory"):
        load(empty)
    with pytest.raises(DataError, match="not a directory"):
        load(empty / "nowhere")


def test_rejects_stereo(corpus_dir):
    path = corpus_dir / "TRAIN" / "DR1" / "SPK0" / "SX0.WAV"
    scipy.io.wavfile.write(path, RATE, np.zeros((4000, 2), dtype=np.int16))
    with pytest.raises(DataError, match="2 channels"):
        load(corpus_dir)
