"""Reading speech audio and computing log-mel / MFCC frames with numpy and scipy.

Audio: RIFF WAVE through ``scipy.io.wavfile``, and the NIST SPHERE header that the LDC's TIMIT
files carry under a ``.WAV`` name (uncompressed PCM only), read here: it is 1024 bytes of
``key -type value`` lines, simple enough not to need another dependency.

Features: a Hamming-windowed short-time power spectrum (numpy FFT), triangular filters evenly
spaced on the HTK mel scale ``2595 log10(1 + f / 700)``, natural log, and for MFCC an
orthonormal DCT-II (``scipy.fft.dct``) keeping the first cepstra (Davis & Mermelstein 1980).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.fft
import scipy.io.wavfile
import scipy.signal

from robustkit.errors import DataError

_SPHERE_MAGIC = b"NIST_1A"


def _read_sphere(path: Path, raw: bytes) -> tuple[int, np.ndarray]:
    try:
        size = int(raw[8:16].decode("ascii").strip())
        header = raw[16:size].decode("ascii", errors="replace")
    except ValueError:
        raise DataError(f"{path}: NIST SPHERE header has no valid size line; the file is "
                        "damaged") from None
    fields: dict[str, str] = {}
    for line in header.splitlines():
        parts = line.split(None, 2)
        if parts and parts[0] == "end_head":
            break
        if len(parts) == 3:
            fields[parts[0]] = parts[2].strip()
    else:
        raise DataError(f"{path}: NIST SPHERE header lacks 'end_head'; the file is damaged")
    coding = fields.get("sample_coding", "pcm")
    if coding != "pcm":
        raise DataError(f"{path}: SPHERE sample_coding {coding!r} is not supported; convert "
                        "to plain PCM (e.g. `sph2pipe -f wav`)")
    width = int(fields.get("sample_n_bytes", 2))
    if width != 2 or int(fields.get("channel_count", 1)) != 1:
        raise DataError(f"{path}: only mono 16-bit SPHERE audio is supported")
    if "sample_rate" not in fields:
        raise DataError(f"{path}: SPHERE header has no sample_rate")
    order = "<" if fields.get("sample_byte_format", "01") == "01" else ">"
    body = raw[size:]
    if len(body) % 2:
        body = body[:-1]
    data = np.frombuffer(body, dtype=f"{order}i2")
    count = int(fields.get("sample_count", len(data)))
    if count > len(data):
        raise DataError(f"{path}: SPHERE header promises {count} samples but the file holds "
                        f"{len(data)}; the file is truncated")
    return int(fields["sample_rate"]), data[:count].astype(np.float32) / 32768.0


def read_audio(path: Path) -> tuple[int, np.ndarray]:
    """``(sample_rate, mono float samples in [-1, 1])``; a clear DataError for bad files."""
    raw = Path(path).read_bytes()
    if raw.startswith(_SPHERE_MAGIC):
        rate, data = _read_sphere(path, raw)
    else:
        try:
            rate, data = scipy.io.wavfile.read(path)
        except Exception as exc:  # scipy raises ValueError or struct errors for damaged files
            raise DataError(f"{path}: not a readable WAV file ({exc}); expected RIFF WAVE or "
                            "NIST SPHERE audio") from None
        if data.ndim != 1:
            raise DataError(f"{path}: has {data.shape[1]} channels; only mono audio is "
                            "supported")
        if data.dtype.kind == "i":
            data = data.astype(np.float32) / float(np.iinfo(data.dtype).max + 1)
        elif data.dtype.kind == "u":
            data = (data.astype(np.float32) - 128.0) / 128.0
        data = data.astype(np.float32)
    if data.size == 0:
        raise DataError(f"{path}: contains no audio samples")
    if not np.isfinite(data).all():
        raise DataError(f"{path}: contains NaN or infinite samples")
    return rate, data


def mel_filterbank(n_mels: int, n_fft: int, rate: int) -> np.ndarray:
    """``n_mels x (n_fft // 2 + 1)`` triangular filters on the HTK mel scale."""
    def mel(f):
        return 2595.0 * np.log10(1.0 + f / 700.0)

    def hz(m):
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)

    edges = hz(np.linspace(mel(0.0), mel(rate / 2.0), n_mels + 2))
    bins = np.fft.rfftfreq(n_fft, 1.0 / rate)
    lo, centre, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    up = (bins[None, :] - lo) / (centre - lo)
    down = (hi - bins[None, :]) / (hi - centre)
    return np.clip(np.minimum(up, down), 0.0, None)


def frame_params(rate: int, frame_ms: float, hop_ms: float) -> tuple[int, int]:
    return max(1, round(rate * frame_ms / 1000)), max(1, round(rate * hop_ms / 1000))


def features(samples: np.ndarray, rate: int, *, kind: str = "logmel", n_mels: int = 26,
             n_mfcc: int = 13, frame_ms: float = 25.0, hop_ms: float = 10.0) -> np.ndarray:
    """``frames x bands`` log-mel energies (or MFCC) of mono samples."""
    win, hop = frame_params(rate, frame_ms, hop_ms)
    if samples.size < win:
        samples = np.pad(samples, (0, win - samples.size))
    count = 1 + (samples.size - win) // hop
    index = np.arange(win)[None, :] + hop * np.arange(count)[:, None]
    frames = samples[index] * scipy.signal.get_window("hamming", win, fftbins=True)
    n_fft = 1 << (win - 1).bit_length()
    power = np.abs(np.fft.rfft(frames, n=n_fft)) ** 2
    logmel = np.log(power @ mel_filterbank(n_mels, n_fft, rate).T + 1e-10)
    if kind == "mfcc":
        return scipy.fft.dct(logmel, type=2, norm="ortho", axis=1)[:, :n_mfcc]
    return logmel
