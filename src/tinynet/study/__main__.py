"""``python -m tinynet.study``: the ``tinynet-study`` command."""

import sys

from .cli import main

sys.exit(main())
