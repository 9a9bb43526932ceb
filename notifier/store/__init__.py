"""Database: tables, engines, migrations, queries."""
