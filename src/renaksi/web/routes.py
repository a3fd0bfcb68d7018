"""The web router, its template configuration and static files: wired by ``create_app``."""

from pathlib import Path
from typing import Any

from litestar import Router
from litestar.di import Provide
from litestar.exceptions import HTTPException, ValidationException
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from sqlalchemy.orm.exc import StaleDataError

from renaksi.auth.middleware import web_route_guard
from renaksi.errors import RenaksiError
from renaksi.web import actions, admin, home, imports, office, units
from renaksi.web.common import FILTERS, handle_error, provide_web_actor

HERE = Path(__file__).parent


def _register_filters(engine: JinjaTemplateEngine) -> None:
    engine.engine.filters.update(FILTERS)


def template_config() -> TemplateConfig[Any]:
    return TemplateConfig(
        directory=HERE / "templates", engine=JinjaTemplateEngine, engine_callback=_register_filters
    )


def static_router() -> Router:
    return create_static_files_router(
        path="/static", directories=[HERE / "static"], name="web-static"
    )


def web_router() -> Router:
    """Pages ask for ``actor`` through :func:`provide_web_actor`: anonymous visitors are sent to
    the login page instead of getting a JSON 401."""
    return Router(
        path="/",
        include_in_schema=False,
        guards=[web_route_guard],  # the table in renaksi.auth.policy.WEB_ROUTES
        dependencies={"actor": Provide(provide_web_actor, sync_to_thread=False)},
        exception_handlers={
            RenaksiError: handle_error,
            StaleDataError: handle_error,
            ValidationException: handle_error,
            HTTPException: handle_error,
        },
        route_handlers=[
            home.root,
            home.login_form,
            home.login_submit,
            home.logout,
            home.home,
            actions.action_list,
            actions.action_detail,
            actions.add_progress,
            actions.save_budget_line,
            actions.delete_budget_line,
            office.budget_grid,
            office.budget_grid_save,
            office.performance,
            office.report_form,
            office.download_budget_gap,
            office.download_quarterly,
            imports.import_form,
            imports.import_submit,
            imports.map_alias,
            admin.admin_view,
            admin.add_lock,
            admin.remove_lock,
            admin.add_holiday,
            admin.remove_holiday,
            admin.save_sla,
            admin.create_user,
            admin.set_user_active,
            units.create_unit,
            units.unit_view,
            units.update_unit,
            units.add_alias,
        ],
    )
