"""A public notebook nobody here wrote, reduced: Hugging Face's "Text classification"
notebook (https://github.com/huggingface/notebooks/blob/main/examples/text_classification.ipynb,
Apache-2.0).  It logs in with ``notebook_login()``, loads GLUE with ``load_dataset``, the
tokenizer and model with ``from_pretrained`` and ends with ``trainer.push_to_hub()``; the
training arguments are cut down.  The pinned variant takes the checkpoint from the
``parameters`` cell and pins the dataset's revision, and publishes nothing."""

from __future__ import annotations

from pathlib import Path

from ..conftest import code, write_notebook

NOTEBOOK = "text_classification.ipynb"

LOGIN = """\
from huggingface_hub import notebook_login

notebook_login()"""
PARAMETERS = 'task = "cola"\nbatch_size = 16'
CHECKPOINT = 'model_checkpoint = "distilbert-base-uncased"'
DATA = """\
from datasets import load_dataset

dataset = load_dataset("glue", task)"""
MODEL = """\
from transformers import AutoTokenizer, AutoModelForSequenceClassification

tokenizer = AutoTokenizer.from_pretrained(model_checkpoint, use_fast=True)
model = AutoModelForSequenceClassification.from_pretrained(model_checkpoint, num_labels=2)"""
TRAIN = """\
from transformers import Trainer, TrainingArguments

args = TrainingArguments(f"{model_checkpoint}-finetuned-{task}", per_device_train_batch_size=batch_size)
trainer = Trainer(model, args, train_dataset=dataset["train"], tokenizer=tokenizer)
trainer.train()"""
PUSH = "trainer.push_to_hub()"
PINNED_DATA = """\
from datasets import load_dataset

dataset = load_dataset("glue", task, revision=glue_revision)"""


def text_classification_notebook(folder: Path) -> Path:
    return write_notebook(
        folder / NOTEBOOK,
        [
            code(LOGIN),
            code(PARAMETERS, tags=["parameters"]),
            code(CHECKPOINT),
            code(DATA),
            code(MODEL),
            code(TRAIN),
            code(PUSH),
        ],
    )


def text_classification_pinned_notebook(folder: Path) -> Path:
    parameters = (
        f"{PARAMETERS}\n{CHECKPOINT.replace('distilbert-base-uncased', 'models/distilbert')}"
    )
    return write_notebook(
        folder / NOTEBOOK,
        [
            code(
                f'{parameters}\nglue_revision = "bcdcba79d07bc864c1c254ccfcedcce55bcc9a8c"',
                tags=["parameters"],
            ),
            code(PINNED_DATA),
            code(MODEL),
            code(TRAIN),
        ],
    )
