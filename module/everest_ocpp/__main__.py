import gc

# The imports create almost only objects that live as long as the process; collecting them again
# and again while hundreds of modules load costs a tenth of the start-up. cli.main switches the
# collector on again once they are done (app.preload_backend does the same for the OCPP side).
gc.disable()

import sys  # noqa: E402

from .cli import main  # noqa: E402

sys.exit(main())
