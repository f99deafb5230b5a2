"""An optional Jupyter server extension: send kernel messages to the browser without delay.

jupyter_server does not set ``TCP_NODELAY`` on its kernel websockets. A kernel answers a
widget edit with several small messages in a row (status "busy", the widget's update,
status "idle"); with Nagle's algorithm on, the update can wait for the browser's delayed
acknowledgement of the first one, about 40 ms on Linux. The diagram widget's round trip
(an edit in the browser -> the Diagram in Python -> the new result on screen) then takes
roughly twice as long (see ``benchmarks/bench_widget.py``).

This extension sets ``TCP_NODELAY`` on every kernel websocket the server opens. It changes
nothing else. It is off unless enabled in the configuration of the *server*: for one run::

    jupyter lab --ServerApp.jpserver_extensions="{'tensorlessons._server': True}"

or for good, a file ``jupyter_server_config.d/tensorlessons.json`` in a Jupyter config
directory (``jupyter --paths``; e.g. ``~/.jupyter/``) containing::

    {"ServerApp": {"jpserver_extensions": {"tensorlessons._server": true}}}

``jupyter server extension list`` then shows it enabled.
"""

from __future__ import annotations

from typing import Any

_PATCHED = "_tensorlessons_nodelay"


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "tensorlessons._server"}]


def enable_nodelay() -> bool:
    """Patch jupyter_server's kernel websocket handler to set TCP_NODELAY; True if patched now."""
    from jupyter_server.services.kernels.websocket import KernelWebsocketHandler

    if getattr(KernelWebsocketHandler, _PATCHED, False):
        return False
    original = KernelWebsocketHandler.open

    async def open_nodelay(self: Any, kernel_id: str) -> None:
        try:
            self.set_nodelay(True)
        except Exception:  # noqa: BLE001 - never break a kernel connection over this
            self.log.debug("tensorlessons: could not set TCP_NODELAY", exc_info=True)
        await original(self, kernel_id)

    KernelWebsocketHandler.open = open_nodelay  # type: ignore[method-assign]
    setattr(KernelWebsocketHandler, _PATCHED, True)
    return True


def _load_jupyter_server_extension(serverapp: Any) -> None:
    if enable_nodelay():
        serverapp.log.info("tensorlessons: TCP_NODELAY on kernel websockets")
