"""Storage: tables, repositories, migrations and the SQL twin of the policy. The only place with SQL."""
