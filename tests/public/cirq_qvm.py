"""A public notebook nobody here wrote, reduced: Cirq's "Quantum Virtual Machine" guide
(quantumlib/Cirq, docs/simulate/quantum_virtual_machine.ipynb, Apache-2.0,
https://github.com/quantumlib/Cirq/blob/main/docs/simulate/quantum_virtual_machine.ipynb).

Kept as they are: the install cell, which runs ``!pip install`` for cirq-google and qsimcirq
only in the ``except ImportError:`` of a ``try: import ...`` (where they are installed, as
in a job's environment, nothing is installed); the processor choice; the noisy simulator;
the circuit run.  Cut: the licence and markdown cells, the simulated engine's setup (the
run uses the simulator directly) and the printing.
"""

from __future__ import annotations

from pathlib import Path

from ..conftest import write_notebook

NOTEBOOK = "quantum_virtual_machine.ipynb"

INSTALL = """\
# @title Install `cirq_google` and `qsimcirq`

try:
    import cirq
    import cirq_google
except ImportError:
    print("installing cirq...")
    !pip install --upgrade --quiet cirq-google~=1.0.dev
    print("installed cirq.")
    import cirq
    import cirq_google

try:
    import qsimcirq
except ImportError:
    print("installing qsimcirq...")
    !pip install --quiet qsimcirq
    print(f"installed qsimcirq.")
    import qsimcirq"""
PROCESSOR = """\
# Choose a processor ("willow_pink" or "rainbow" or "weber")
# (see cirq_google.engine.list_virtual_processors() for available names)

processor_id = "willow_pink\""""
SIMULATOR = """\
# Load the noise properties for the processor.
noise_props = cirq_google.engine.load_device_noise_properties(processor_id)
# Create a noise model from the noise properties.
noise_model = cirq_google.NoiseModelFromGoogleNoiseProperties(noise_props)
# Prepare a qsim simulator using the noise model.
sim = qsimcirq.QSimSimulator(noise=noise_model)"""
RUN = """\
q0 = cirq.GridQubit(4, 4)
q1 = cirq.GridQubit(4, 5)
circuit = cirq.Circuit(
    cirq.X(q0),
    cirq.X(q1) ** 0.5,
    cirq.CZ(q0, q1),
    cirq.X(q1) ** 0.5,
    cirq.measure([q0, q1], key="measure"),
)

results = sim.run(circuit, repetitions=3000)"""


def qvm_notebook(folder: Path) -> Path:
    return write_notebook(folder / NOTEBOOK, [INSTALL, PROCESSOR, SIMULATOR, RUN])
