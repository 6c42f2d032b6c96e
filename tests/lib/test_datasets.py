"""Tests of nntrain.datasets: loading MNIST, caching, the validation split,
mini-batches, downloading.

All but one test use tiny IDX files written here (with their own checksums);
``test_real_mnist_sanity_facts`` loads the copy shipped with the package.
Nothing is ever downloaded: download_mnist is fed ``file://`` URLs.
"""
import gzip
import hashlib
import os
import struct

import numpy as np
import pytest

from nntrain import datasets
from nntrain.datasets import (FILE_NAMES, TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES,
                              TRAIN_LABELS, download_mnist, load_mnist, sample_batch,
                              validation_split)

N_TRAIN, N_TEST = 5, 3


# --------------------------------------------------------------------------
# Writing tiny IDX files
# --------------------------------------------------------------------------

def image_bytes(images, magic=2051):
    """Uncompressed IDX bytes of uint8 images of shape (N, rows, cols)."""
    n, rows, cols = images.shape
    return struct.pack(">4I", magic, n, rows, cols) + images.astype(np.uint8).tobytes()


def label_bytes(labels, magic=2049):
    """Uncompressed IDX bytes of uint8 labels of shape (N,)."""
    return struct.pack(">2I", magic, len(labels)) + np.asarray(labels, np.uint8).tobytes()


def write_gz(path, data):
    """Gzip ``data`` into ``path``; return the SHA-256 of the uncompressed bytes."""
    path.write_bytes(gzip.compress(data))
    return hashlib.sha256(data).hexdigest()


def make_arrays(seed=0):
    rng = np.random.default_rng(seed)
    arrays = {
        TRAIN_IMAGES: rng.integers(0, 256, size=(N_TRAIN, 28, 28), dtype=np.uint8),
        TRAIN_LABELS: np.array([5, 0, 4, 1, 9], dtype=np.uint8),
        TEST_IMAGES: rng.integers(0, 256, size=(N_TEST, 28, 28), dtype=np.uint8),
        TEST_LABELS: np.array([7, 2, 1], dtype=np.uint8),
    }
    arrays[TRAIN_IMAGES][0, 0, 0] = 0  # make sure both ends of the range occur
    arrays[TRAIN_IMAGES][0, 0, 1] = 255
    return arrays


def write_dataset(folder, arrays):
    """Write the four files into ``folder``; return their checksums."""
    folder.mkdir(parents=True, exist_ok=True)
    checksums = {}
    for name, array in arrays.items():
        data = image_bytes(array) if "images" in name else label_bytes(array)
        checksums[name] = write_gz(folder / name, data)
    return checksums


class Tiny:
    """A folder with tiny MNIST-like files, their checksums and their arrays."""

    def __init__(self, folder, seed=0):
        self.folder = folder
        self.arrays = make_arrays(seed)
        self.checksums = write_dataset(folder, self.arrays)

    def load(self, **kwargs):
        return load_mnist(data_dir=self.folder, checksums=self.checksums, **kwargs)

    def replace(self, name, data):
        """Overwrite one file with the gzip of ``data``; the expected checksum stays."""
        write_gz(self.folder / name, data)


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Keep every test away from the real home, cache and network."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NNTRAIN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("NNTRAIN_MNIST_DIR", raising=False)

    real_urlopen = datasets.urlopen

    def local_only(url, *args, **kwargs):
        assert url.startswith("file:"), f"tests must not use the network: {url}"
        return real_urlopen(url, *args, **kwargs)

    monkeypatch.setattr(datasets, "urlopen", local_only)
    datasets.clear_memory_cache()
    yield
    datasets.clear_memory_cache()


@pytest.fixture
def tiny(tmp_path):
    return Tiny(tmp_path / "mnist")


@pytest.fixture
def parse_counter(monkeypatch):
    """Count calls of datasets.parse_idx (one per file actually parsed)."""
    calls = []
    real_parse = datasets.parse_idx

    def counting_parse(data, source, magic):
        calls.append(source)
        return real_parse(data, source, magic)

    monkeypatch.setattr(datasets, "parse_idx", counting_parse)
    return calls


# --------------------------------------------------------------------------
# Shapes, dtypes, values
# --------------------------------------------------------------------------

@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("flatten", [True, False])
@pytest.mark.parametrize("one_hot_label", [True, False])
def test_shapes_dtypes_and_values(tiny, normalize, flatten, one_hot_label):
    (x_train, t_train), (x_test, t_test) = tiny.load(
        normalize=normalize, flatten=flatten, one_hot_label=one_hot_label)
    for x, t, images, labels in [(x_train, t_train, tiny.arrays[TRAIN_IMAGES],
                                  tiny.arrays[TRAIN_LABELS]),
                                 (x_test, t_test, tiny.arrays[TEST_IMAGES],
                                  tiny.arrays[TEST_LABELS])]:
        n = len(labels)
        assert x.shape == ((n, 784) if flatten else (n, 1, 28, 28))
        if normalize:
            assert x.dtype == np.float32
            assert 0.0 <= x.min() and x.max() <= 1.0
            np.testing.assert_allclose(x.reshape(images.shape) * 255, images, atol=1e-4)
        else:
            assert x.dtype == np.uint8
            np.testing.assert_array_equal(x.reshape(images.shape), images)
        if one_hot_label:
            assert t.shape == (n, 10) and t.dtype == np.float32
        else:
            assert t.shape == (n,)
            np.testing.assert_array_equal(t, labels)
    if normalize:
        assert x_train.min() == 0.0 and x_train.max() == 1.0


def test_default_flags(tiny):
    for (x, t), n in zip(tiny.load(), (N_TRAIN, N_TEST)):
        assert x.shape == (n, 784) and x.dtype == np.float32
        assert t.shape == (n,) and t.dtype == np.uint8


def test_one_hot_labels(tiny):
    (_, t_train), (_, t_test) = tiny.load(one_hot_label=True)
    for t, labels in [(t_train, tiny.arrays[TRAIN_LABELS]), (t_test, tiny.arrays[TEST_LABELS])]:
        assert set(np.unique(t)) == {0.0, 1.0}
        np.testing.assert_array_equal(t.sum(axis=1), 1.0)
        np.testing.assert_array_equal(t.argmax(axis=1), labels)


# --------------------------------------------------------------------------
# Where the files are looked for
# --------------------------------------------------------------------------

def test_data_dir_argument_as_str_and_path(tiny):
    (x1, _), _ = load_mnist(data_dir=str(tiny.folder), checksums=tiny.checksums)
    (x2, _), _ = load_mnist(data_dir=tiny.folder, checksums=tiny.checksums)
    np.testing.assert_array_equal(x1, x2)


def test_environment_variable(tiny, monkeypatch):
    monkeypatch.setenv("NNTRAIN_MNIST_DIR", str(tiny.folder))
    (_, t), _ = load_mnist(checksums=tiny.checksums)
    np.testing.assert_array_equal(t, tiny.arrays[TRAIN_LABELS])


def test_argument_wins_over_environment_variable(tiny, tmp_path, monkeypatch):
    other = Tiny(tmp_path / "other", seed=1)
    monkeypatch.setenv("NNTRAIN_MNIST_DIR", str(other.folder))
    (x, _), _ = tiny.load(normalize=False)
    np.testing.assert_array_equal(x.reshape(-1, 28, 28), tiny.arrays[TRAIN_IMAGES])


def test_default_location_is_the_package_data(monkeypatch, tmp_path):
    assert datasets.mnist_dir() == datasets.PACKAGE_DATA_DIR
    assert all((datasets.PACKAGE_DATA_DIR / name).is_file() for name in FILE_NAMES)
    monkeypatch.setenv("NNTRAIN_MNIST_DIR", str(tmp_path))
    assert datasets.mnist_dir() == tmp_path
    assert datasets.mnist_dir(tmp_path / "x") == tmp_path / "x"


def test_missing_files_message(tiny):
    (tiny.folder / TRAIN_LABELS).unlink()
    (tiny.folder / TEST_IMAGES).unlink()
    with pytest.raises(FileNotFoundError) as info:
        tiny.load()
    message = str(info.value)
    assert TRAIN_LABELS in message and TEST_IMAGES in message
    first_line = message.splitlines()[0]
    assert TRAIN_IMAGES not in first_line and TEST_LABELS not in first_line  # only the missing
    for hint in [str(tiny.folder), "data_dir", "NNTRAIN_MNIST_DIR", "download_mnist"]:
        assert hint in message


def test_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="NNTRAIN_MNIST_DIR") as info:
        load_mnist(data_dir=tmp_path / "nowhere")
    assert all(name in str(info.value) for name in FILE_NAMES)


# --------------------------------------------------------------------------
# Broken files
# --------------------------------------------------------------------------

def test_truncated_file(tiny):
    data = image_bytes(tiny.arrays[TRAIN_IMAGES])[:-100]
    tiny.replace(TRAIN_IMAGES, data)
    with pytest.raises(ValueError, match="truncated") as info:
        tiny.load()
    assert TRAIN_IMAGES in str(info.value)


def test_file_shorter_than_header(tiny):
    tiny.replace(TEST_LABELS, b"\x00\x00\x08")
    with pytest.raises(ValueError, match="header") as info:
        tiny.load()
    assert TEST_LABELS in str(info.value)


def test_truncated_gzip_stream(tiny):
    path = tiny.folder / TRAIN_LABELS
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError, match="gzip") as info:
        tiny.load()
    assert TRAIN_LABELS in str(info.value)


def test_corrupt_gzip(tiny):
    (tiny.folder / TEST_IMAGES).write_bytes(b"this is not a gzip file at all")
    with pytest.raises(ValueError, match="gzip") as info:
        tiny.load()
    assert str(tiny.folder / TEST_IMAGES) in str(info.value)


def test_bad_magic_number(tiny):
    tiny.replace(TRAIN_LABELS, label_bytes(tiny.arrays[TRAIN_LABELS], magic=2051))
    with pytest.raises(ValueError, match="magic number 2049") as info:
        tiny.load()
    assert TRAIN_LABELS in str(info.value)


def test_image_file_with_label_magic(tiny):
    tiny.replace(TEST_IMAGES, image_bytes(tiny.arrays[TEST_IMAGES], magic=2049))
    with pytest.raises(ValueError, match="magic number 2051"):
        tiny.load()


def test_wrong_image_size(tiny):
    tiny.replace(TEST_IMAGES, image_bytes(np.zeros((3, 27, 28), np.uint8)))
    with pytest.raises(ValueError, match="28x28"):
        tiny.load()


def test_label_out_of_range(tiny):
    data = label_bytes([1, 2, 10, 3, 4])
    tiny.checksums[TRAIN_LABELS] = write_gz(tiny.folder / TRAIN_LABELS, data)
    with pytest.raises(ValueError, match="0..9"):
        tiny.load()


def test_bad_checksum(tiny):
    tiny.checksums[TEST_LABELS] = "0" * 64
    with pytest.raises(ValueError, match="SHA-256") as info:
        tiny.load()
    assert str(tiny.folder.resolve() / TEST_LABELS) in str(info.value)
    assert "0" * 64 in str(info.value)


def test_files_elsewhere_are_checked_against_the_real_checksums(tiny):
    with pytest.raises(ValueError, match="SHA-256"):
        load_mnist(data_dir=tiny.folder)  # tiny files are not the real MNIST


def test_changed_content_with_old_checksum_is_rejected(tiny):
    arrays = make_arrays(seed=1)
    tiny.replace(TRAIN_IMAGES, image_bytes(arrays[TRAIN_IMAGES]))
    with pytest.raises(ValueError, match="SHA-256"):
        tiny.load()


def test_count_mismatch(tiny):
    data = label_bytes(tiny.arrays[TRAIN_LABELS][:4])
    tiny.checksums[TRAIN_LABELS] = write_gz(tiny.folder / TRAIN_LABELS, data)
    with pytest.raises(ValueError, match="same number") as info:
        tiny.load()
    assert TRAIN_IMAGES in str(info.value) and TRAIN_LABELS in str(info.value)


# --------------------------------------------------------------------------
# Caching
# --------------------------------------------------------------------------

def test_second_load_uses_the_memory_cache(tiny, parse_counter):
    first = tiny.load()
    assert len(parse_counter) == 4
    second = tiny.load()
    assert len(parse_counter) == 4
    for a, b in zip([*first[0], *first[1]], [*second[0], *second[1]]):
        np.testing.assert_array_equal(a, b)
        assert a is not b


def test_disk_cache_is_used_and_invalidated(tiny, tmp_path, parse_counter):
    (x_first, t_first), _ = tiny.load()
    assert len(parse_counter) == 4
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 4

    datasets.clear_memory_cache()
    (x, t), _ = tiny.load()
    assert len(parse_counter) == 4  # read from the .npz files
    np.testing.assert_array_equal(x, x_first)
    np.testing.assert_array_equal(t, t_first)

    # Change one file: only that file is parsed again, and its new content is returned.
    path = tiny.folder / TRAIN_LABELS
    new_labels = np.array([3, 3, 2, 2, 1], np.uint8)
    tiny.checksums[TRAIN_LABELS] = write_gz(path, label_bytes(new_labels))
    old = path.stat().st_mtime_ns
    os.utime(path, ns=(old + 2 * 10**9, old + 2 * 10**9))  # coarse clocks: force a new mtime
    datasets.clear_memory_cache()
    (_, t), _ = tiny.load()
    assert len(parse_counter) == 5
    np.testing.assert_array_equal(t, new_labels)


def test_memory_cache_notices_a_changed_file(tiny, parse_counter):
    tiny.load()
    path = tiny.folder / TEST_LABELS
    new_labels = np.array([0, 0, 0], np.uint8)
    tiny.checksums[TEST_LABELS] = write_gz(path, label_bytes(new_labels))
    old = path.stat().st_mtime_ns
    os.utime(path, ns=(old + 2 * 10**9, old + 2 * 10**9))
    _, (_, t_test) = tiny.load()
    assert len(parse_counter) == 5
    np.testing.assert_array_equal(t_test, new_labels)


def test_broken_disk_cache_is_ignored(tiny, tmp_path, parse_counter):
    tiny.load()
    for cached in (tmp_path / "cache").glob("*.npz"):
        cached.write_bytes(b"garbage")
    datasets.clear_memory_cache()
    (_, t), _ = tiny.load()
    assert len(parse_counter) == 8
    np.testing.assert_array_equal(t, tiny.arrays[TRAIN_LABELS])


def test_unwritable_cache_folder_is_skipped_silently(tiny, tmp_path, monkeypatch, capfd):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("NNTRAIN_CACHE_DIR", str(blocker / "cache"))
    (_, t), _ = tiny.load()
    np.testing.assert_array_equal(t, tiny.arrays[TRAIN_LABELS])
    datasets.clear_memory_cache()
    tiny.load()
    assert capfd.readouterr() == ("", "")


def test_default_cache_folder_is_in_home(tiny, tmp_path, monkeypatch):
    monkeypatch.delenv("NNTRAIN_CACHE_DIR")
    assert datasets.cache_dir() == tmp_path / "home" / ".cache" / "nntrain"
    tiny.load()
    assert len(list(datasets.cache_dir().glob("*.npz"))) == 4


@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("one_hot_label", [True, False])
def test_returned_arrays_are_independent_copies(tiny, normalize, one_hot_label):
    options = dict(normalize=normalize, one_hot_label=one_hot_label)
    (x, t), (x_test, t_test) = tiny.load(**options)
    expected = [a.copy() for a in (x, t, x_test, t_test)]
    for array in (x, t, x_test, t_test):
        assert array.flags.writeable
        array[...] = 7
    (x, t), (x_test, t_test) = tiny.load(**options)
    for array, original in zip((x, t, x_test, t_test), expected):
        np.testing.assert_array_equal(array, original)


# --------------------------------------------------------------------------
# sample_batch
# --------------------------------------------------------------------------

def test_sample_batch_is_deterministic_and_consistent():
    x = np.arange(100 * 3).reshape(100, 3)
    t = np.arange(100)
    x1, t1 = sample_batch(x, t, 10, np.random.default_rng(42))
    x2, t2 = sample_batch(x, t, 10, np.random.default_rng(42))
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(t1, t2)
    assert x1.shape == (10, 3) and t1.shape == (10,)
    assert len(np.unique(t1)) == 10  # no sample twice in a batch
    np.testing.assert_array_equal(x1[:, 0], 3 * t1)  # rows stay paired with their labels
    _, t3 = sample_batch(x, t, 10, np.random.default_rng(43))
    assert not np.array_equal(t1, t3)


def test_sample_batch_advances_the_generator():
    x = t = np.arange(1000)
    rng = np.random.default_rng(0)
    _, first = sample_batch(x, t, 20, rng)
    _, second = sample_batch(x, t, 20, rng)
    assert not np.array_equal(first, second)


def test_sample_batch_whole_data_set_is_a_permutation():
    x = t = np.arange(8)
    x_batch, _ = sample_batch(x, t, 8, np.random.default_rng(0))
    np.testing.assert_array_equal(np.sort(x_batch), x)


@pytest.mark.parametrize("batch_size", [0, 11])
def test_sample_batch_rejects_bad_sizes(batch_size):
    with pytest.raises(ValueError, match="batch_size"):
        sample_batch(np.zeros((10, 2)), np.zeros(10), batch_size, np.random.default_rng(0))


def test_sample_batch_rejects_length_mismatch():
    with pytest.raises(ValueError, match="same length"):
        sample_batch(np.zeros((10, 2)), np.zeros(9), 3, np.random.default_rng(0))


def test_sample_batch_wants_a_generator():
    with pytest.raises(TypeError, match="Generator"):
        sample_batch(np.zeros((10, 2)), np.zeros(10), 3, 0)


# --------------------------------------------------------------------------
# validation_split
# --------------------------------------------------------------------------

def numbered(n):
    """Samples that carry their own index: x[i] = [i, 10 i], t[i] = i % 10."""
    return np.column_stack([np.arange(n), 10 * np.arange(n)]), np.arange(n) % 10


def test_validation_split_sizes_and_pairs():
    x, t = numbered(100)
    (x_train, t_train), (x_val, t_val) = validation_split(x, t, 30, np.random.default_rng(0))
    assert x_train.shape == (70, 2) and t_train.shape == (70,)
    assert x_val.shape == (30, 2) and t_val.shape == (30,)
    for xs, ts in ((x_train, t_train), (x_val, t_val)):
        np.testing.assert_array_equal(xs[:, 1], 10 * xs[:, 0])  # rows stay whole
        np.testing.assert_array_equal(ts, xs[:, 0] % 10)       # and paired with their targets


def test_validation_split_puts_every_sample_in_exactly_one_part():
    x, t = numbered(100)
    (x_train, _), (x_val, _) = validation_split(x, t, 30, np.random.default_rng(0))
    np.testing.assert_array_equal(np.sort(np.concatenate([x_train[:, 0], x_val[:, 0]])),
                                  np.arange(100))
    # each part keeps the original order of its samples
    assert np.all(np.diff(x_train[:, 0]) > 0) and np.all(np.diff(x_val[:, 0]) > 0)


def test_validation_split_is_a_seeded_shuffle():
    x, t = numbered(1000)

    def held_out(seed):
        (_, _), (x_val, _) = validation_split(x, t, 100, np.random.default_rng(seed))
        return x_val[:, 0]

    np.testing.assert_array_equal(held_out(0), held_out(0))  # the same seed, the same split
    assert not np.array_equal(held_out(0), held_out(1))      # another seed, another split
    # drawn from the whole data set, not its first or last 100 samples
    assert held_out(0).min() < 100 and held_out(0).max() >= 900


def test_validation_split_follows_the_generator():
    x, t = numbered(50)
    rng = np.random.default_rng(3)
    (_, _), (x_val, _) = validation_split(x, t, 10, rng)
    expected = np.sort(np.random.default_rng(3).permutation(50)[:10])
    np.testing.assert_array_equal(x_val[:, 0], expected)


@pytest.mark.parametrize("one_hot_t", [False, True])
def test_validation_split_keeps_dtypes_and_trailing_shapes(one_hot_t):
    x = np.arange(20 * 28 * 28, dtype=np.uint8).reshape(20, 1, 28, 28)
    t = np.arange(20, dtype=np.uint8) % 10
    if one_hot_t:
        t = np.eye(10, dtype=np.float32)[t]
    (x_train, t_train), (x_val, t_val) = validation_split(x, t, 5, np.random.default_rng(0))
    assert x_train.shape == (15, 1, 28, 28) and x_val.shape == (5, 1, 28, 28)
    assert t_train.shape == (15, *t.shape[1:]) and t_val.shape == (5, *t.shape[1:])
    assert {a.dtype for a in (x_train, x_val)} == {x.dtype}
    assert {a.dtype for a in (t_train, t_val)} == {t.dtype}


def test_validation_split_returns_new_arrays():
    x, t = numbered(20)
    x_before, t_before = x.copy(), t.copy()
    (x_train, t_train), (x_val, t_val) = validation_split(x, t, 5, np.random.default_rng(0))
    for part in (x_train, t_train, x_val, t_val):
        part[...] = -1
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(t, t_before)


def test_validation_split_extremes():
    x, t = numbered(10)
    (x_train, _), (x_val, _) = validation_split(x, t, 1, np.random.default_rng(0))
    assert len(x_train) == 9 and len(x_val) == 1
    (x_train, _), (x_val, _) = validation_split(x, t, 9, np.random.default_rng(0))
    assert len(x_train) == 1 and len(x_val) == 9
    (x_train, _), (x_val, _) = validation_split(x, t, np.int64(4), np.random.default_rng(0))
    assert len(x_val) == 4


@pytest.mark.parametrize("size", [0, -3, 10, 11])
def test_validation_split_rejects_sizes_out_of_range(size):
    x, t = numbered(10)
    with pytest.raises(ValueError, match=rf"size must lie in 1\.\.9 .*got {size}"):
        validation_split(x, t, size, np.random.default_rng(0))


@pytest.mark.parametrize("size, words", [
    (0.2, r"whole number of samples, got float 0.2; for a fraction f of the data pass round\(f \* 10\)"),
    (3.0, "whole number of samples, got float 3.0"),
    (True, "whole number of samples, got bool True"),
    ("3", "whole number of samples, got str '3'"),
    (None, "whole number of samples, got NoneType None"),
])
def test_validation_split_rejects_sizes_that_are_not_whole_numbers(size, words):
    x, t = numbered(10)
    with pytest.raises(TypeError, match=words):
        validation_split(x, t, size, np.random.default_rng(0))


def test_validation_split_rejects_other_bad_input():
    x, t = numbered(10)
    with pytest.raises(TypeError, match="Generator"):
        validation_split(x, t, 3, 0)
    with pytest.raises(ValueError, match=r"same length, got shapes \(10, 2\) and \(9,\)"):
        validation_split(x, t[:9], 3, np.random.default_rng(0))
    with pytest.raises(ValueError, match="same length"):
        validation_split(np.float64(1.0), t, 3, np.random.default_rng(0))


def test_validation_split_of_the_real_training_set():
    (x_all, t_all), _ = load_mnist()
    (x_train, t_train), (x_val, t_val) = validation_split(x_all, t_all, 10_000,
                                                          np.random.default_rng(0))
    assert x_train.shape == (50_000, 784) and x_val.shape == (10_000, 784)
    assert x_val.dtype == np.float32 and t_val.dtype == np.uint8
    # a random sample: every digit makes up 8% to 12% of the validation set, as of the whole
    shares = np.bincount(t_val, minlength=10) / 10_000
    assert np.all((0.08 < shares) & (shares < 0.12)), shares
    np.testing.assert_array_equal(np.bincount(t_train, minlength=10) + np.bincount(t_val, minlength=10),
                                  np.bincount(t_all, minlength=10))


# --------------------------------------------------------------------------
# download_mnist, from local file:// URLs only
# --------------------------------------------------------------------------

def test_download_tries_the_next_mirror(tiny, tmp_path, capfd):
    target = tmp_path / "downloaded"
    broken_mirror = (tmp_path / "no-such-mirror").as_uri()
    result = download_mnist(target, mirrors=[broken_mirror, tiny.folder.as_uri()],
                            progress=False, checksums=tiny.checksums)
    assert result == target
    assert sorted(p.name for p in target.iterdir()) == sorted(FILE_NAMES)
    (_, t), _ = load_mnist(data_dir=target, checksums=tiny.checksums)
    np.testing.assert_array_equal(t, tiny.arrays[TRAIN_LABELS])
    assert capfd.readouterr() == ("", "")


def test_download_skips_a_mirror_with_bad_files(tiny, tmp_path):
    bad = Tiny(tmp_path / "bad-mirror", seed=1)  # valid IDX files, other checksums
    target = tmp_path / "downloaded"
    download_mnist(target, mirrors=[bad.folder.as_uri(), tiny.folder.as_uri() + "/"],
                   progress=False, checksums=tiny.checksums)
    (x, _), _ = load_mnist(data_dir=target, checksums=tiny.checksums, normalize=False)
    np.testing.assert_array_equal(x.reshape(-1, 28, 28), tiny.arrays[TRAIN_IMAGES])


def test_download_with_bad_checksum_writes_nothing(tiny, tmp_path):
    target = tmp_path / "downloaded"
    checksums = dict(tiny.checksums, **{TRAIN_IMAGES: "f" * 64})
    with pytest.raises(RuntimeError, match="SHA-256") as info:
        download_mnist(target, mirrors=[tiny.folder.as_uri()], progress=False,
                       checksums=checksums)
    assert TRAIN_IMAGES in str(info.value)
    assert list(target.iterdir()) == []  # nothing moved into place, no temporary files


def test_download_reports_every_failed_mirror(tmp_path):
    mirrors = [(tmp_path / "a").as_uri(), (tmp_path / "b").as_uri()]
    with pytest.raises(RuntimeError) as info:
        download_mnist(tmp_path / "target", mirrors=mirrors, progress=False)
    assert mirrors[0] in str(info.value) and mirrors[1] in str(info.value)


def test_download_keeps_files_that_are_already_correct(tiny, monkeypatch):
    def no_download(url, *args, **kwargs):
        raise AssertionError(f"should not download {url}")

    monkeypatch.setattr(datasets, "urlopen", no_download)
    download_mnist(tiny.folder, mirrors=["file:///nowhere"], progress=False,
                   checksums=tiny.checksums)


def test_download_replaces_a_corrupt_file(tiny, tmp_path):
    target = tmp_path / "downloaded"
    download_mnist(target, mirrors=[tiny.folder.as_uri()], progress=False,
                   checksums=tiny.checksums)
    (target / TEST_LABELS).write_bytes(b"broken")
    download_mnist(target, mirrors=[tiny.folder.as_uri()], progress=False,
                   checksums=tiny.checksums)
    _, (_, t_test) = load_mnist(data_dir=target, checksums=tiny.checksums)
    np.testing.assert_array_equal(t_test, tiny.arrays[TEST_LABELS])


def test_download_progress_bar_goes_to_stdout(tiny, tmp_path, capfd):
    download_mnist(tmp_path / "downloaded", mirrors=[tiny.folder.as_uri()],
                   progress=True, checksums=tiny.checksums)
    out, err = capfd.readouterr()
    assert err == ""
    assert TRAIN_IMAGES in out


# --------------------------------------------------------------------------
# The real data shipped with the package
# --------------------------------------------------------------------------

def test_real_mnist_sanity_facts():
    """The facts listed in lib/nntrain/data/mnist/README.md."""
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=False)
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert x_train.dtype == np.uint8 and t_train.dtype == np.uint8
    np.testing.assert_array_equal(
        np.bincount(t_train, minlength=10),
        [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
    np.testing.assert_array_equal(
        np.bincount(t_test, minlength=10),
        [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    np.testing.assert_array_equal(t_train[:10], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
    assert x_train.mean() == pytest.approx(33.318, abs=5e-4)

    (x_norm, _), _ = load_mnist()  # normalised, served from the cache
    assert x_norm.dtype == np.float32
    assert x_norm.mean(dtype=np.float64) == pytest.approx(33.318 / 255, abs=5e-6)
