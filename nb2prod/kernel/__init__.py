"""nb2prod inside the IPython kernel: the ``%nb2prod`` / ``%%nb2prod`` magics (``%load_ext nb2prod``)."""
