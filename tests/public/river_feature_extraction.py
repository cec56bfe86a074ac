"""A public notebook nobody here wrote, reduced: river 0.26.1's recipe "Feature extraction"
(docs/recipes/feature-extraction.ipynb, BSD-3-Clause, https://github.com/online-ml/river),
which wraps TA-Lib's streaming API in a river transformer.

Kept as they are: the cell generating the candles, the ``TALibFeatures`` transformer
(``import talib.stream as tas``; ``tas.ATR(high, low, close, timeperiod=14) / x["close"]``;
``macd, signal, hist = tas.MACD(close, 12, 26, 9)``) and the cell feeding it 20 candles and
transforming the 21st.  Cut: the markdown, river's own statistics and the online pipeline
after it.  The project declares ``TA-Lib`` unpinned (river's ``docs`` dependency group).
TA-Lib 0.8.1 made each ``talib.stream`` function return a stream handle instead of the
latest value: run headless in a new environment, the notebook stops in ``transform_one``
with ``TypeError: unsupported operand type(s) for /: 'talib._ta_lib.ATR_Stream' and
'float'``.
"""

from __future__ import annotations

from pathlib import Path

from ..conftest import code, write_notebook

NOTEBOOK = "docs/recipes/feature-extraction.ipynb"

CELLS = [
    """\
import numpy as np
import pandas as pd

rng = np.random.RandomState(42)
n_candles = 1000
price = 50_000.0
rows = []
ts = pd.Timestamp("2026-01-01")

for _ in range(n_candles):
    ret = rng.normal(0, 0.001)
    o = price
    c = o * (1 + ret)
    h = max(o, c) * (1 + abs(rng.normal(0, 0.0005)))
    l = min(o, c) * (1 - abs(rng.normal(0, 0.0005)))
    vol = rng.exponential(10)
    rows.append([ts, o, h, l, c, vol])
    price = c
    ts += pd.Timedelta(minutes=1)

df = pd.DataFrame(rows, columns=["timestamp", "open", "high", "low", "close", "volume"])

# Target: did the next candle close higher?
df["target"] = (df["close"].shift(-1) > df["close"]).astype(int)
df = df.iloc[:-1]  # drop last row (no future candle)

print(f"Generated {len(df)} candles")
df.head()""",
    """\
import collections

import numpy as np
import talib.stream as tas
from river import base


class TALibFeatures(base.Transformer):
    \"\"\"Extract technical indicators using talib.stream.

    Maintains rolling buffers of OHLCV data and computes indicators
    incrementally using TA-Lib's streaming API.
    \"\"\"

    def __init__(self, buffer_size=50):
        self.buffer_size = buffer_size
        self.close_buf = collections.deque(maxlen=buffer_size)
        self.high_buf = collections.deque(maxlen=buffer_size)
        self.low_buf = collections.deque(maxlen=buffer_size)

    def learn_one(self, x, y=None):
        self.close_buf.append(x["close"])
        self.high_buf.append(x["high"])
        self.low_buf.append(x["low"])

    def transform_one(self, x):
        out = {
            "return": (x["close"] - x["open"]) / x["open"],
            "range_pct": (x["high"] - x["low"]) / x["close"],
        }

        if len(self.close_buf) >= 15:
            close = np.array(self.close_buf)
            high = np.array(self.high_buf)
            low = np.array(self.low_buf)

            out["rsi"] = tas.RSI(close, timeperiod=14)
            out["atr_pct"] = tas.ATR(high, low, close, timeperiod=14) / x["close"]

        if len(self.close_buf) >= 34:
            close = np.array(self.close_buf)
            macd, signal, hist = tas.MACD(close, 12, 26, 9)
            out["macd_hist"] = hist

        return out""",
    """\
ta = TALibFeatures(buffer_size=50)

# Feed some history
for _, row in df.head(20).iterrows():
    x = row.to_dict()
    ta.learn_one(x)

# Now transform the next sample
x = df.iloc[20].to_dict()
ta.transform_one(x)""",
]


def feature_extraction_project(folder: Path, requirements: str = "TA-Lib\nriver\n") -> Path:
    """The reduced notebook in a project declaring ``requirements``; returns its path."""
    (folder / "requirements.txt").write_text(requirements)
    (folder / "pyproject.toml").write_text("")
    return write_notebook(folder / NOTEBOOK, [code(cell) for cell in CELLS])
