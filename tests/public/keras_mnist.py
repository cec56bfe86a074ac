"""A public notebook nobody here wrote, reduced: the Keras example "Simple MNIST convnet"
(https://github.com/keras-team/keras-io/blob/master/examples/vision/mnist_convnet.py,
Apache-2.0).  Its data loading through ``keras.datasets.mnist.load_data()`` and the scaling
are kept; the model is cut to one dense layer and the training to one epoch."""

from __future__ import annotations

from pathlib import Path

from ..conftest import code, write_notebook

NOTEBOOK = "mnist_convnet.ipynb"

IMPORTS = """\
import numpy as np
import keras
from keras import layers"""
PARAMETERS = "num_classes = 10\nepochs = 1"
DATA = """\
(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.astype("float32") / 255
x_test = x_test.astype("float32") / 255
y_train = keras.utils.to_categorical(y_train, num_classes)"""
FIT = """\
model = keras.Sequential([keras.Input(shape=(28, 28)), layers.Flatten(), layers.Dense(num_classes)])
model.compile(loss="categorical_crossentropy", optimizer="adam")
model.fit(x_train, y_train, epochs=epochs)"""


def mnist_notebook(folder: Path) -> Path:
    return write_notebook(
        folder / NOTEBOOK,
        [code(IMPORTS), code(PARAMETERS, tags=["parameters"]), code(DATA), code(FIT)],
    )
