"""Domain layer: tables, rules and the services that are the only way to change data.

Kept import-light on purpose: the console paints before SQLModel is imported.
"""
