"""``%load_ext nb2prod``: register the magics and the cell hooks, once per shell.

``%reload_ext nb2prod`` unloads first, so hooks are never registered twice.  A cell's role
(``parameters``, ``metrics``) is read as the exporter and jobs read it: from the tags the
front end sends (JupyterLab with ipykernel 7.3+) or a first line ``#| nb2prod: ROLE``,
which works everywhere, as ``%%nb2prod ROLE`` does.
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
        if raw.lstrip().startswith("%%nb2prod"):
            return  # a role magic, which handled itself
        role = _role(raw, session.current_tags)
        if role == "parameters":
            session.parameter_names = _bound_names(raw)
        # A job logs its metrics cells through the cells it adds after them
        # (strict_job.log_cell_metrics): tags do not reach its kernel.
        if role == "metrics" and result.success and session.job_log is None:
            log_metrics(session, raw, result.result)


def _role(source: str, tags: tuple[str, ...]) -> str | None:
    """The cell's role as the exporter and jobs read it (its tags, or a first line
    ``#| nb2prod: ROLE``); None for a cell with none, or with roles that conflict (lint
    and export report those)."""
    if not tags and "nb2prod" not in source:
        return None  # most cells: no need to look closer
    from nb2prod.notebook import Cell
    from nb2prod.roles import RoleError, cell_role

    try:
        return cell_role(Cell(0, "code", source, metadata={"tags": list(tags)}))
    except RoleError:
        return None
