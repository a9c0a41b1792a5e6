"""The op table lives in the package (zerograd/testing/op_db.py) so that `zerograd gradcheck` can
use it too; the tests import it from here as before."""
from zerograd.testing.op_db import *  # noqa: F401,F403
from zerograd.testing.op_db import OP_DB  # noqa: F401
