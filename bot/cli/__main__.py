"""`python -m bot.cli`: the same as `ipbot`."""

from bot.cli import main

raise SystemExit(main())
