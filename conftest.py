"""Settings for every test, notebooks (nbval) included: Jupyter, IPython and
matplotlib keep their state in a temporary folder, never under $HOME."""
import os
import tempfile
from pathlib import Path

_STATE = Path(tempfile.mkdtemp(prefix="nntrain-test-state-"))
for _variable, _folder in {
    "JUPYTER_CONFIG_DIR": "jupyter-config",
    "JUPYTER_RUNTIME_DIR": "jupyter-runtime",
    "IPYTHONDIR": "ipython",
    "MPLCONFIGDIR": "matplotlib",
    "NNTRAIN_CACHE_DIR": "nntrain-cache",
    "NNTRAIN_GRADING_CACHE": "nntrain-grading-cache",
}.items():
    os.environ.setdefault(_variable, str(_STATE / _folder))
os.environ.setdefault("MPLBACKEND", "Agg")
# Tests run two workers on two cores: one BLAS thread per process (kernels
# included) keeps OpenBLAS threads from stalling each other.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
