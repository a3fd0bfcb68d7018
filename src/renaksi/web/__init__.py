"""Server-rendered pages in Bahasa Indonesia (Jinja2 templates, one CSS file, no script)."""
