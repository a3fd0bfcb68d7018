"""Database plumbing: declarative base, engine set-up, migrations and models."""
