"""``python -m orders``: the same as the ``orders`` command."""

import sys

from orders.cli import main

sys.exit(main())
