"""``%load_ext nb2prod``: register the magics and the cell hooks, once per shell.

``%reload_ext nb2prod`` unloads first, so hooks are never registered twice.  Cells tagged
``parameters`` or ``nb2prod:metrics`` are recognised from the cell metadata the front end
sends (JupyterLab with ipykernel 7.3+); the ``%%nb2prod ROLE`` spelling works everywhere.
"""

from __future__ import annotations

from nb2prod.kernel.magics import Nb2ProdMagics, _bound_names, log_metrics
from nb2prod.kernel.session import KernelSession

_ATTRIBUTE = "_nb2prod_session"


def load(shell) -> KernelSession:
    if getattr(shell, _ATTRIBUTE, None) is not None:
        return getattr(shell, _ATTRIBUTE)
    session = KernelSession(shell)
    hooks = _Hooks(session)
    shell.events.register("pre_run_cell", hooks.pre_run_cell)
    shell.events.register("post_run_cell", hooks.post_run_cell)
    shell.register_magics(Nb2ProdMagics(shell, session))
    session.hooks = hooks
    setattr(shell, _ATTRIBUTE, session)
    return session


def unload(shell) -> None:
    session = getattr(shell, _ATTRIBUTE, None)
    if session is None:
        return
    shell.events.unregister("pre_run_cell", session.hooks.pre_run_cell)
    shell.events.unregister("post_run_cell", session.hooks.post_run_cell)
    session.end_notebook_run()
    setattr(shell, _ATTRIBUTE, None)


class _Hooks:
    def __init__(self, session: KernelSession) -> None:
        self.session = session

    def pre_run_cell(self, info) -> None:
        self.session.before_cell(info)

    def post_run_cell(self, result) -> None:
        session = self.session
        raw = result.info.raw_cell if result.info is not None else ""
        if not session.current_tags or raw.lstrip().startswith("%%nb2prod"):
            return  # untagged, or a role magic that handled itself
        if "parameters" in session.current_tags:
            session.parameter_names = _bound_names(raw)
        if "nb2prod:metrics" in session.current_tags and result.success:
            log_metrics(session, _bound_names(raw), source=raw)
