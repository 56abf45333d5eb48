"""Pure rules of the deployment slice (a deployment only moves forward, rollback targets, the best run) and its
migration."""

from sqlalchemy import create_engine, inspect

from pfd_gateway.db import deployment_tables
from pfd_gateway.deployments import states
from pfd_gateway.deployments.states import AliasChange, rollback_target
from pfd_gateway.deployments.tables import TABLES


def test_a_deployment_only_moves_forward() -> None:
    assert states.may_move(states.REQUESTED, states.RUNNING) and states.may_move(states.RUNNING, states.EXPORTED)
    assert states.may_move(states.CANCELLING, states.EXPORTED)  # the export beat the cancellation
    assert not states.may_move(states.CANCELLING, states.RUNNING)  # late progress does not reopen it
    assert not any(states.may_move(done, target) for done in states.FINISHED for target in states.DEPLOYMENT_STATES)
    assert states.can_cancel(states.RUNNING) and not states.can_cancel(states.CANCELLING)
    assert states.failure_status(True) == states.CANCELLED and states.failure_status(False) == states.FAILED


def test_rollback_goes_to_the_version_before_the_last_change() -> None:
    history = [AliasChange("production", 2, 3), AliasChange("staging", 1, 2), AliasChange("production", 1, 2),
               AliasChange("production", None, 1)]  # newest first
    assert rollback_target(history, "production", 3, usable=[1, 2, 3]) == 2
    assert rollback_target(history, "production", 3, usable=[1, 3]) == 1  # 2 was deleted: further back
    assert rollback_target(history, "production", 3, usable=[3]) is None
    assert rollback_target(history, "staging", 2, usable=[1, 2, 3]) == 1
    assert rollback_target([AliasChange("production", None, 1)], "production", 1, usable=[1]) is None
    after_rollback = [AliasChange("production", 3, 2), *history]  # a rollback is undone by the next one
    assert rollback_target(after_rollback, "production", 2, usable=[1, 2, 3]) == 3


def test_the_best_run_has_the_highest_record_accuracy_first_of_equals() -> None:
    assert states.best_run([("a", 0.8), ("b", 0.9), ("c", 0.9)]) == "b"
    assert states.best_run([]) is None


def test_the_actor_is_the_email_unless_it_is_too_long() -> None:
    assert states.actor_of("a@pfd.test", "u1", 64) == "a@pfd.test"
    assert states.actor_of("x" * 70 + "@pfd.test", "user-id", 64) == "user-id"


def test_migration_0007_creates_the_tables_the_metadata_declares(migrated_template) -> None:
    engine = create_engine(f"sqlite:///{migrated_template}")
    try:
        found = inspect(engine)
        declared = {table.name: table for table in vars(deployment_tables).values()}
        assert set(declared) == set(TABLES)
        for name, table in declared.items():
            assert {c["name"] for c in found.get_columns(name)} == {c.name for c in table.columns}, name
    finally:
        engine.dispose()
