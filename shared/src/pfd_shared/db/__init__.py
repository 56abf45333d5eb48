"""Database plumbing: engines, the messaging tables every service owns, migrations."""
