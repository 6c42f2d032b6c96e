"""The MNIST data set, the validation split and mini-batches.

MNIST ships with the package as the four original IDX files, gzip-compressed,
in ``nntrain/data/mnist/`` (see the README there for the source and license):

=============================  ======================================
file                           content
=============================  ======================================
``train-images-idx3-ubyte.gz``  60,000 images of 28x28 pixels, uint8
``train-labels-idx1-ubyte.gz``  60,000 labels 0..9, uint8
``t10k-images-idx3-ubyte.gz``   10,000 images of 28x28 pixels, uint8
``t10k-labels-idx1-ubyte.gz``   10,000 labels 0..9, uint8
=============================  ======================================

An IDX file is a small big-endian header followed by raw bytes:

* images: magic number 2051, count ``N``, rows 28, columns 28 (four 4-byte
  integers), then ``N * 28 * 28`` pixel bytes, row by row;
* labels: magic number 2049, count ``N`` (two 4-byte integers), then ``N``
  label bytes.

:func:`load_mnist` checks all of this, and the SHA-256 of the decompressed
bytes, before it returns anything.  Parsed files are cached in memory and in
a ``.npz`` file in the user's cache folder, so the second load is fast.

:func:`validation_split` holds out part of the training images, chosen by
a seeded shuffle, to compare settings on (chapter 8); :func:`sample_batch`
draws a random mini-batch (chapter 2).

Nothing here touches the internet unless you call :func:`download_mnist`.
"""
import gzip
import hashlib
import http.client
import numbers
import os
import struct
import sys
import tempfile
import zlib
from pathlib import Path
from urllib.request import urlopen

import numpy as np
from tqdm import tqdm

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
FILE_NAMES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)

#: SHA-256 of the *decompressed* IDX bytes (every mirror gzips differently).
CHECKSUMS = {
    TRAIN_IMAGES: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    TRAIN_LABELS: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    TEST_IMAGES: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    TEST_LABELS: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

#: Folders that serve the four files under their standard names, tried in order.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

IMAGE_MAGIC = 2051
LABEL_MAGIC = 2049
ROWS = COLS = 28
NUM_CLASSES = 10

#: Folder of the copy shipped with the package.
PACKAGE_DATA_DIR = Path(__file__).resolve().parent / "data" / "mnist"

# resolved path -> (stamp, read-only uint8 array); see load_idx().
_memory_cache = {}


# --------------------------------------------------------------------------
# The public API
# --------------------------------------------------------------------------

def load_mnist(normalize=True, flatten=True, one_hot_label=False, data_dir=None, *,
               checksums=None):
    """Load MNIST as ``((x_train, t_train), (x_test, t_test))``.

    Images ``x`` (``N = 60000`` for training, ``10000`` for test):

    * ``normalize=True``: float32 in ``[0, 1]``; ``False``: uint8 in ``0..255``;
    * ``flatten=True``: shape ``(N, 784)``; ``False``: shape ``(N, 1, 28, 28)``.

    Labels ``t``:

    * ``one_hot_label=False``: uint8 class labels ``0..9``, shape ``(N,)``;
    * ``one_hot_label=True``: float32 one-hot rows, shape ``(N, 10)``.

    The files are read from ``data_dir`` if given, else from the folder in the
    environment variable ``NNTRAIN_MNIST_DIR``, else from the copy shipped with
    the package.  ``checksums`` maps each file name to the SHA-256 of its
    decompressed bytes (default: :data:`CHECKSUMS`, the real MNIST files).

    Every call returns fresh arrays: changing them does not affect later calls.
    Raises ``FileNotFoundError`` if files are missing and ``ValueError`` if a
    file is corrupt.
    """
    folder = mnist_dir(data_dir)
    checksums = CHECKSUMS if checksums is None else checksums
    check_files_exist(folder)
    raw = {name: load_idx(folder / name, checksums[name]) for name in FILE_NAMES}
    options = dict(normalize=normalize, flatten=flatten, one_hot_label=one_hot_label)
    train = _prepare(raw, folder, TRAIN_IMAGES, TRAIN_LABELS, **options)
    test = _prepare(raw, folder, TEST_IMAGES, TEST_LABELS, **options)
    return train, test


def sample_batch(x, t, batch_size, rng):
    """Draw a random mini-batch ``(x_batch, t_batch)`` of ``batch_size`` samples.

    ``x`` and ``t`` are indexed along their first axis (``x`` of shape
    ``(N, ...)``, ``t`` of shape ``(N,)`` or ``(N, C)``); the results have
    ``batch_size`` rows and keep the dtypes.  No sample appears twice in one
    batch.  ``rng`` is a ``numpy.random.Generator``, e.g.
    ``np.random.default_rng(0)``: the same seed gives the same batches.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    if len(x) != len(t):
        raise ValueError(f"x and t must have the same length, got {len(x)} and {len(t)}")
    if not 1 <= batch_size <= len(x):
        raise ValueError(f"batch_size must lie in 1..{len(x)} (the data size), got {batch_size}")
    index = rng.choice(len(x), size=batch_size, replace=False)
    return x[index], t[index]


def validation_split(x, t, size, rng):
    """Hold out ``size`` random samples of ``(x, t)``: ``(x_train, t_train), (x_val, t_val)``.

    ``x`` has shape ``(N, ...)`` and ``t`` shape ``(N,)`` or ``(N, C)``, as
    :func:`load_mnist` returns them.  ``size`` is the number of samples in the
    validation part, a whole number from 1 to ``N - 1``; the training part
    gets the other ``N - size``.  Which samples are held out is decided by a
    shuffle, ``rng.permutation(N)``, where ``rng`` is a
    ``numpy.random.Generator`` such as ``np.random.default_rng(0)``: the same
    seed gives the same split.  Every sample lands in exactly one part, and
    each part keeps the samples in their original order.

    The four results are new arrays with the input's dtypes and trailing
    shapes (``(N - size, ...)`` and ``(size, ...)``): changing them leaves
    ``x`` and ``t`` as they were.  Raises ``TypeError`` for a ``size`` that is
    not a whole number or an ``rng`` that is not a Generator, and
    ``ValueError`` for a ``size`` out of range or ``x`` and ``t`` of
    different lengths.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator such as np.random.default_rng(0), "
                        f"got {type(rng).__name__}")
    x, t = np.asarray(x), np.asarray(t)
    if x.ndim == 0 or t.ndim == 0 or len(x) != len(t):
        raise ValueError("x and t must hold one sample per row and have the same length, got "
                         f"shapes {x.shape} and {t.shape}")
    n = len(x)
    if isinstance(size, (bool, np.bool_)) or not isinstance(size, numbers.Integral):
        hint = (f"; for a fraction f of the data pass round(f * {n})"
                if isinstance(size, numbers.Real) and not isinstance(size, (bool, np.bool_)) else "")
        raise TypeError(f"size must be a whole number of samples, got {type(size).__name__} "
                        f"{size!r}{hint}")
    if not 1 <= size <= n - 1:
        raise ValueError(f"size must lie in 1..{n - 1} (at least one sample in each part of "
                         f"the {n}), got {size}")
    order = rng.permutation(n)
    held_out = np.sort(order[:size])
    kept = np.sort(order[size:])
    return ((x.take(kept, axis=0), t.take(kept, axis=0)),
            (x.take(held_out, axis=0), t.take(held_out, axis=0)))


def download_mnist(data_dir, mirrors=MIRRORS, progress=True, *, checksums=None):
    """Download the four MNIST files into the folder ``data_dir``; return its path.

    For each file the mirrors are tried in order until one delivers bytes whose
    decompressed SHA-256 matches ``checksums`` (default: :data:`CHECKSUMS`);
    only then is the file moved into place.  Files that are already present
    and correct are kept.  ``progress=True`` shows a tqdm bar per download.
    Raises ``RuntimeError`` naming every mirror's error if none of them works.
    """
    folder = Path(data_dir).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    checksums = CHECKSUMS if checksums is None else checksums
    for name in FILE_NAMES:
        target = folder / name
        if target.exists() and _is_valid(target, checksums[name]):
            continue
        data = _download_verified(name, mirrors, checksums[name], progress)
        _write_atomically(target, data)
    return folder


def mnist_dir(data_dir=None):
    """The folder to read MNIST from: ``data_dir``, else ``$NNTRAIN_MNIST_DIR``,
    else the copy shipped with the package (as a ``pathlib.Path``)."""
    if data_dir is not None:
        return Path(data_dir).expanduser()
    if os.environ.get("NNTRAIN_MNIST_DIR"):
        return Path(os.environ["NNTRAIN_MNIST_DIR"]).expanduser()
    return PACKAGE_DATA_DIR


def check_files_exist(folder):
    """Raise ``FileNotFoundError`` explaining what to do if an MNIST file is missing."""
    missing = [name for name in FILE_NAMES if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"MNIST file(s) missing in {folder}: {', '.join(missing)}.\n"
            f"Put the four files {', '.join(FILE_NAMES)} in that folder, "
            "or pass the folder that holds them as load_mnist(data_dir=...), "
            "or set the environment variable NNTRAIN_MNIST_DIR to it.\n"
            "To fetch them once from the internet, call "
            "nntrain.datasets.download_mnist(folder)."
        )


def clear_memory_cache():
    """Forget the arrays cached in memory (the ``.npz`` cache on disk stays)."""
    _memory_cache.clear()


# --------------------------------------------------------------------------
# Reading one IDX file
# --------------------------------------------------------------------------

def load_idx(path, expected_sha256):
    """Read the gzip-compressed IDX file ``path`` as a read-only uint8 array.

    Images give shape ``(N, 28, 28)``, labels shape ``(N,)``.  The result is
    cached in memory and on disk, keyed by the file's path, modification time,
    size and expected checksum, so a changed file is read again.
    """
    path = Path(path).resolve()
    info = path.stat()
    stamp = f"{info.st_mtime_ns}:{info.st_size}:{expected_sha256}"
    cached = _memory_cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    array = _read_disk_cache(path, stamp)
    if array is None:
        array = read_idx_gz(path, expected_sha256)
        _write_disk_cache(path, stamp, array)
    array.flags.writeable = False
    _memory_cache[path] = (stamp, array)
    return array


def read_idx_gz(path, expected_sha256):
    """Decompress, parse and verify one IDX file (no caching); see :func:`load_idx`."""
    return decode_idx_gz(Path(path).read_bytes(), path, expected_sha256)


def decode_idx_gz(compressed, source, expected_sha256):
    """Turn the bytes of a ``.gz`` IDX file into a uint8 array.

    ``source`` (the file path or URL) is only used in error messages and, via
    its name, to tell images (``...images...``) from labels.
    """
    data = gunzip(compressed, source)
    magic = IMAGE_MAGIC if "images" in Path(str(source)).name else LABEL_MAGIC
    array = parse_idx(data, source, magic)
    check_sha256(data, source, expected_sha256)
    return array


def gunzip(compressed, source):
    """Decompress gzip bytes; raise ``ValueError`` naming ``source`` if they are broken."""
    try:
        return gzip.decompress(compressed)
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(
            f"{source}: expected a valid gzip file, but it cannot be decompressed ({error})"
        ) from None


def parse_idx(data, source, magic):
    """Parse the decompressed bytes of an IDX file.

    ``magic`` is the expected magic number: 2051 for images (returns uint8 of
    shape ``(N, 28, 28)``) or 2049 for labels (returns uint8 of shape ``(N,)``,
    values 0..9).  Raises ``ValueError`` naming ``source`` if the header or the
    size is not what the format promises.
    """
    is_images = magic == IMAGE_MAGIC
    header_size = 16 if is_images else 8
    if len(data) < header_size:
        raise ValueError(f"{source}: expected an IDX header of {header_size} bytes, "
                         f"but the file has only {len(data)} bytes")
    header = struct.unpack(f">{header_size // 4}I", data[:header_size])
    if header[0] != magic:
        kind = "image" if is_images else "label"
        raise ValueError(f"{source}: expected magic number {magic} (IDX {kind} file), "
                         f"got {header[0]}")
    shape = header[1:]
    if is_images and shape[1:] != (ROWS, COLS):
        raise ValueError(f"{source}: expected {ROWS}x{COLS} images, "
                         f"got {shape[1]}x{shape[2]}")
    expected_size = header_size + int(np.prod(shape))
    if len(data) != expected_size:
        raise ValueError(f"{source}: the header promises {shape[0]} examples, i.e. "
                         f"{expected_size} bytes, but the file has {len(data)} bytes "
                         "(truncated or corrupt)")
    array = np.frombuffer(data, dtype=np.uint8, offset=header_size).reshape(shape)
    if not is_images and array.size and array.max() >= NUM_CLASSES:
        raise ValueError(f"{source}: expected labels 0..{NUM_CLASSES - 1}, "
                         f"found {array.max()}")
    return array


def check_sha256(data, source, expected_sha256):
    """Raise ``ValueError`` if the SHA-256 of ``data`` is not ``expected_sha256``."""
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected_sha256.lower():
        raise ValueError(f"{source}: expected SHA-256 {expected_sha256} of the "
                         f"decompressed bytes, got {actual} (corrupt or wrong file)")


# --------------------------------------------------------------------------
# Helpers: turning raw arrays into the course format, caching, downloading
# --------------------------------------------------------------------------

def _prepare(raw, folder, images_name, labels_name, normalize, flatten, one_hot_label):
    """Fresh ``(x, t)`` arrays in the requested format from the cached uint8 arrays."""
    images, labels = raw[images_name], raw[labels_name]
    if len(images) != len(labels):
        raise ValueError(f"{folder / images_name} has {len(images)} images but "
                         f"{folder / labels_name} has {len(labels)} labels; "
                         "expected the same number")
    if normalize:
        x = images.astype(np.float32)
        x /= 255
    else:
        x = images.copy()
    x = x.reshape(len(x), ROWS * COLS) if flatten else x.reshape(len(x), 1, ROWS, COLS)
    if one_hot_label:
        t = np.eye(NUM_CLASSES, dtype=np.float32)[labels]
    else:
        t = labels.copy()
    return x, t


def cache_dir():
    """Folder of the ``.npz`` cache: ``$NNTRAIN_CACHE_DIR``, else ``~/.cache/nntrain``."""
    if os.environ.get("NNTRAIN_CACHE_DIR"):
        return Path(os.environ["NNTRAIN_CACHE_DIR"]).expanduser()
    return Path.home() / ".cache" / "nntrain"


def _cache_file(path):
    """The ``.npz`` cache file of the source file ``path`` (one per source path)."""
    path_hash = hashlib.sha256(str(path).encode()).hexdigest()[:16]
    return cache_dir() / f"{path.name.removesuffix('.gz')}-{path_hash}.npz"


def _read_disk_cache(path, stamp):
    """The cached array of ``path`` if its stamp matches, else ``None``."""
    try:
        with np.load(_cache_file(path), allow_pickle=False) as cached:
            if str(cached["stamp"]) == stamp:
                return cached["data"]
    except Exception:  # a missing, unreadable or broken cache only means: parse again
        pass
    return None


def _write_disk_cache(path, stamp, array):
    """Save ``array`` to the cache; silently do nothing if that is impossible."""
    try:
        target = _cache_file(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(target, lambda f: np.savez(f, data=array, stamp=np.array(stamp)))
    except OSError:
        pass


def _write_atomically(target, content):
    """Write ``content`` (bytes, or a function that writes to a binary file) to
    ``target`` via a temporary file, so ``target`` is never half-written."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            if callable(content):
                content(f)
            else:
                f.write(content)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _is_valid(path, expected_sha256):
    """Whether ``path`` is a correct IDX file (decompresses, parses, checksum matches)."""
    try:
        read_idx_gz(path, expected_sha256)
    except (OSError, ValueError):
        return False
    return True


def _download_verified(name, mirrors, expected_sha256, progress):
    """Bytes of the ``.gz`` file ``name`` from the first mirror that gives a correct file."""
    errors = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + name
        try:
            compressed = _fetch(url, name, progress)
            decode_idx_gz(compressed, url, expected_sha256)
            return compressed
        except (OSError, ValueError, http.client.HTTPException) as error:
            errors.append(f"  {url}: {error}")
    raise RuntimeError(f"could not download {name} from any mirror:\n" + "\n".join(errors))


def _fetch(url, name, progress):
    """The bytes at ``url``, with a tqdm progress bar (on stdout) if ``progress``."""
    with urlopen(url, timeout=60) as response:
        size = response.headers.get("Content-Length")
        total = int(size) if size else None
        chunks = []
        with tqdm(total=total, desc=name, unit="B", unit_scale=True,
                  disable=not progress, file=sys.stdout) as bar:
            while chunk := response.read(1 << 16):
                chunks.append(chunk)
                bar.update(len(chunk))
    return b"".join(chunks)
