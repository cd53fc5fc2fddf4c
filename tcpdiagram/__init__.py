"""tcpdiagram: TCP state diagrams, sequence charts and a bilingual site from one YAML spec.

The Python API (tcpdiagram.api) loads on first use, so `import tcpdiagram` and `tcpdiagram --help` stay quick.
"""

import sys
import types

TYPE_CHECKING = False  # not typing's: importing typing costs ~13 ms of every command's start-up

__version__ = "0.1.0"
__all__ = ["Diagram", "load_spec", "sequence_chart", "simulate", "state_diagram", "__version__"]

if TYPE_CHECKING:
    from .api import Diagram, load_spec, sequence_chart, simulate, state_diagram


def __getattr__(name: str) -> object:
    if name in __all__ and name != "__version__":
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'tcpdiagram' has no attribute {name!r}")


class _Package(types.ModuleType):
    """This package's module type: `tcpdiagram.simulate` stays the API function after the submodule of that name
    loads (the import system sets the parent's attribute to the submodule; `from tcpdiagram.simulate import …`
    still finds the submodule in sys.modules)."""

    @property
    def simulate(self) -> object:
        from .api import simulate

        return simulate

    @simulate.setter
    def simulate(self, module: object) -> None:
        pass


sys.modules[__name__].__class__ = _Package
