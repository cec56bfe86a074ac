"""A public notebook nobody here wrote, reduced: Keras' "Timeseries classification from
scratch" example (keras-team/keras-io, examples/timeseries/timeseries_classification_from_scratch.py,
Apache-2.0,
https://github.com/keras-team/keras-io/blob/master/examples/timeseries/timeseries_classification_from_scratch.py).

Kept: the FordA data read from its URL, the reshape and label remapping, a small
convolutional model, the ``ModelCheckpoint("best_model.keras", ...)`` callback the fit
writes the best model through, and ``keras.models.load_model("best_model.keras")`` reading
it back for the evaluation.  Cut: the plots, the class visualisation, most layers.  The
epochs and batch size are a ``parameters`` cell.  The checkpoint is a file the notebook
itself writes, so reading it back is not hard-coded input data (NB203).
"""

from __future__ import annotations

from pathlib import Path

from ..conftest import code, write_notebook

NOTEBOOK = "timeseries_classification_from_scratch.ipynb"

IMPORTS = """\
import keras
import numpy as np"""
PARAMETERS = """\
epochs = 500
batch_size = 32"""
DATA = """\
def readucr(filename):
    data = np.loadtxt(filename, delimiter="\\t")
    y = data[:, 0]
    x = data[:, 1:]
    return x, y.astype(int)


root_url = "https://raw.githubusercontent.com/hfawaz/cd-diagram/master/FordA/"
x_train, y_train = readucr(root_url + "FordA_TRAIN.tsv")
x_test, y_test = readucr(root_url + "FordA_TEST.tsv")
x_train = x_train.reshape((x_train.shape[0], x_train.shape[1], 1))
x_test = x_test.reshape((x_test.shape[0], x_test.shape[1], 1))
num_classes = len(np.unique(y_train))
y_train[y_train == -1] = 0
y_test[y_test == -1] = 0"""
MODEL = """\
def make_model(input_shape):
    input_layer = keras.layers.Input(input_shape)
    conv = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(input_layer)
    conv = keras.layers.ReLU()(keras.layers.BatchNormalization()(conv))
    gap = keras.layers.GlobalAveragePooling1D()(conv)
    output_layer = keras.layers.Dense(num_classes, activation="softmax")(gap)
    return keras.models.Model(inputs=input_layer, outputs=output_layer)


model = make_model(input_shape=x_train.shape[1:])"""
FIT = """\
callbacks = [
    keras.callbacks.ModelCheckpoint(
        "best_model.keras", save_best_only=True, monitor="val_loss"
    ),
    keras.callbacks.EarlyStopping(monitor="val_loss", patience=50, verbose=1),
]
model.compile(
    optimizer="adam",
    loss="sparse_categorical_crossentropy",
    metrics=["sparse_categorical_accuracy"],
)
history = model.fit(
    x_train,
    y_train,
    batch_size=batch_size,
    epochs=epochs,
    callbacks=callbacks,
    validation_split=0.2,
    verbose=1,
)"""
EVALUATE = """\
model = keras.models.load_model("best_model.keras")

test_loss, test_acc = model.evaluate(x_test, y_test)
print("Test accuracy", test_acc)"""


def keras_timeseries_notebook(folder: Path) -> Path:
    return write_notebook(
        folder / NOTEBOOK,
        [
            code(IMPORTS),
            code(PARAMETERS, tags=["parameters"]),
            code(DATA),
            code(MODEL),
            code(FIT),
            code(EVALUATE),
        ],
    )
