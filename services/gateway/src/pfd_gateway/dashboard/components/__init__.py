"""Layout pieces shared by every page (shell, cards, tables)."""
