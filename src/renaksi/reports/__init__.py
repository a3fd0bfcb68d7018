"""The workbooks people hand around: Bappeda's budget-gap report and the quarterly report to
the Bupati. ``queries`` gathers data through the services that own the rules, ``frames``
shapes it (pure polars), ``budget_gap`` / ``quarterly`` (with ``sheets`` and ``styles``) write
it (pure xlsxwriter), and ``service`` joins them for the API and the CLI."""
