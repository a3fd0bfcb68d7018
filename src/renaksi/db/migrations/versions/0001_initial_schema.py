"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-28 17:44:56.417398
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("start_year", sa.Integer(), nullable=False),
        sa.Column("end_year", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("start_year <= end_year", name=op.f("ck_plan_period")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
        sa.UniqueConstraint("code", name=op.f("uq_plan_code")),
    )
    op.create_table(
        "unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "sekretariat",
                "bagian",
                "inspektorat",
                "dinas",
                "badan",
                "kantor",
                "kecamatan",
                "kelurahan",
                "rsud",
                "lainnya",
                name="unitkind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
        sa.UniqueConstraint("code", name=op.f("uq_unit_code")),
    )
    op.create_table(
        "objective",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_objective_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objective")),
        sa.UniqueConstraint("plan_id", "title", name=op.f("uq_objective_plan_id_title")),
    )
    op.create_table(
        "unit_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=200), nullable=False),
        sa.Column("alias_key", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_unit_alias_unit_id_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_alias")),
        sa.UniqueConstraint("alias_key", name=op.f("uq_unit_alias_alias_key")),
    )
    with op.batch_alter_table("unit_alias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_alias_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("indicator", sa.Text(), nullable=False),
        sa.Column("measure_unit", sa.String(length=60), nullable=False),
        sa.Column(
            "direction",
            sa.Enum(
                "naik",
                "turun",
                name="direction",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("baseline", sa.Double(), nullable=True),
        sa.Column("lead_unit_id", sa.Integer(), nullable=False),
        sa.Column("sub_kegiatan_code", sa.String(length=30), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_unit_id"], ["unit.id"], name=op.f("fk_action_lead_unit_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["objective_id"], ["objective.id"], name=op.f("fk_action_objective_id_objective")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_action_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action")),
        sa.UniqueConstraint("plan_id", "code", name=op.f("uq_action_plan_id_code")),
    )
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_lead_unit_id"), ["lead_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_objective_id"), ["objective_id"], unique=False)

    op.create_table(
        "action_supporting_unit",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["action.id"],
            name=op.f("fk_action_supporting_unit_action_id_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_action_supporting_unit_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("action_id", "unit_id", name=op.f("pk_action_supporting_unit")),
    )
    with op.batch_alter_table("action_supporting_unit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_supporting_unit_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "action_target",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["action.id"],
            name=op.f("fk_action_target_action_id_action"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("action_id", "year", name=op.f("pk_action_target")),
    )
    op.create_table(
        "budget_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "USULAN",
                "DPA",
                "DPPA",
                "REALISASI",
                name="stage",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column(
            "source",
            sa.Enum(
                "PAD",
                "DAU",
                "DAK_FISIK",
                "DAK_NONFISIK",
                "DBH",
                "INSENTIF_FISKAL",
                "HIBAH",
                "BLUD",
                "SILPA",
                "NON_APBD",
                name="source",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_budget_line_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["action.id"],
            name=op.f("fk_budget_line_action_id_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_budget_line_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_line")),
        sa.UniqueConstraint(
            "action_id",
            "year",
            "stage",
            "source",
            "unit_id",
            name=op.f("uq_budget_line_action_id_year_stage_source_unit_id"),
        ),
    )
    with op.batch_alter_table("budget_line", schema=None) as batch_op:
        batch_op.create_index("ix_budget_line_year_unit", ["year", "unit_id"], unique=False)

    op.create_table(
        "kpi_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column(
            "kpi",
            sa.Enum(
                "received",
                "followed_up",
                "pct_followed_up",
                "resolved",
                "pct_resolved",
                "response_on_time",
                "response_late",
                "pct_response_on_time",
                "median_response_workdays",
                "pct_resolved_within_60d",
                name="kpiname",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["action.id"],
            name=op.f("fk_kpi_link_action_id_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_kpi_link_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_link")),
        sa.UniqueConstraint(
            "action_id", "kpi", "unit_id", name=op.f("uq_kpi_link_action_id_kpi_unit_id")
        ),
    )
    with op.batch_alter_table("kpi_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kpi_link_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "progress_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "BELUM_MULAI",
                "BERJALAN",
                "SELESAI",
                "TERTUNDA",
                "DIBATALKAN",
                name="progressstatus",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("achieved_value", sa.Double(), nullable=True),
        sa.Column("progress_pct", sa.Double(), nullable=True),
        sa.Column("problems", sa.Text(), nullable=True),
        sa.Column("follow_up", sa.Text(), nullable=True),
        sa.Column("reported_by", sa.String(length=100), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "progress_pct IS NULL OR (progress_pct BETWEEN 0 AND 100)",
            name=op.f("ck_progress_report_progress_pct"),
        ),
        sa.CheckConstraint("quarter BETWEEN 1 AND 4", name=op.f("ck_progress_report_quarter")),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["action.id"],
            name=op.f("fk_progress_report_action_id_action"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_report")),
    )
    with op.batch_alter_table("progress_report", schema=None) as batch_op:
        batch_op.create_index(
            "ix_progress_report_action_period", ["action_id", "year", "quarter"], unique=False
        )

    op.create_table(
        "kpi_target",
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["kpi_link.id"],
            name=op.f("fk_kpi_target_link_id_kpi_link"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("link_id", "year", name=op.f("pk_kpi_target")),
    )


def downgrade() -> None:

    op.drop_table("kpi_target")
    with op.batch_alter_table("progress_report", schema=None) as batch_op:
        batch_op.drop_index("ix_progress_report_action_period")

    op.drop_table("progress_report")
    with op.batch_alter_table("kpi_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kpi_link_unit_id"))

    op.drop_table("kpi_link")
    with op.batch_alter_table("budget_line", schema=None) as batch_op:
        batch_op.drop_index("ix_budget_line_year_unit")

    op.drop_table("budget_line")
    op.drop_table("action_target")
    with op.batch_alter_table("action_supporting_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_supporting_unit_unit_id"))

    op.drop_table("action_supporting_unit")
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_objective_id"))
        batch_op.drop_index(batch_op.f("ix_action_lead_unit_id"))

    op.drop_table("action")
    with op.batch_alter_table("unit_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_alias_unit_id"))

    op.drop_table("unit_alias")
    op.drop_table("objective")
    op.drop_table("unit")
    op.drop_table("plan")
