"""Repository-wide test setup.

robustkit-mlflow exports every pipeline run to ./mlruns once installed; the test suite runs
hundreds of pipelines, so export is off here (its own tests switch it on, to a temp store).
"""

import os

os.environ.setdefault("ROBUSTKIT_MLFLOW", "off")
