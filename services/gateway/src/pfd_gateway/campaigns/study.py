"""The Optuna side of a campaign (synchronous; the runner calls it in a thread): storage, sampler, pruner,
ask / report / tell by trial number.

Optuna's tables live in the gateway's database but apart from its Alembic-managed tables: Optuna stamps its own
``alembic_version`` table, which would collide with the gateway's. On PostgreSQL they go into their own schema
(``campaigns.study_schema``); the embedded SQLite default has no schemas, so they go into a sibling file
``<var>/<service>-optuna.db``. They are never part of the gateway's metadata or migrations.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import optuna
from optuna.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.storages import BaseStorage, InMemoryStorage, RDBStorage
from optuna.trial import TrialState
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pfd_shared.db.engine import sync_url

from pfd_gateway.campaigns.space import CampaignSpec, SearchParam, grid_values
from pfd_gateway.settings import CampaignSettings, GatewaySettings

optuna.logging.set_verbosity(logging.WARNING)


def study_storage(settings: GatewaySettings) -> BaseStorage:
    """Optuna's RDB storage on the gateway's database (own schema), or a sibling SQLite file when embedded."""
    url = make_url(sync_url(settings.database_url()))
    if url.get_backend_name() == "sqlite":
        path = (settings.var_dir / f"{settings.service_name}-optuna.db").resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        return RDBStorage(f"sqlite:///{path}", engine_kwargs={"connect_args": {"timeout": 30}})
    schema = settings.campaigns.study_schema
    rendered = url.render_as_string(hide_password=False)
    engine = create_engine(rendered)
    try:
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    finally:
        engine.dispose()
    return RDBStorage(rendered, engine_kwargs={"connect_args": {"options": f"-csearch_path={schema}"},
                                               "pool_pre_ping": True})


def memory_storage() -> BaseStorage:
    """For tests: one in-memory storage shared by every study of the runner."""
    return InMemoryStorage()


def distribution(param: SearchParam) -> BaseDistribution:
    if param.kind == "categorical":
        return CategoricalDistribution(param.choices)
    assert param.low is not None and param.high is not None
    if param.kind == "int":
        step = int(param.step) if param.step and not param.log else 1
        return IntDistribution(int(param.low), int(param.high), log=param.log, step=step)
    return FloatDistribution(param.low, param.high, log=param.log, step=None if param.log else param.step)


@dataclass(frozen=True)
class Decision:
    """What reporting an epoch decided."""

    pruned: bool
    known: bool  # False: the trial had already finished (a late or repeated event)


class Studies:
    """Ask, report and tell on campaigns' studies (one study per campaign, named by its id)."""

    def __init__(self, storage: BaseStorage | Callable[[], BaseStorage], settings: CampaignSettings) -> None:
        self._storage, self.settings = storage, settings
        self._lock = threading.Lock()

    @property
    def storage(self) -> BaseStorage:
        """The storage, connected on first use (a factory is called once)."""
        with self._lock:
            if not isinstance(self._storage, BaseStorage):
                self._storage = self._storage()
            return self._storage

    def _sampler(self, spec: CampaignSpec) -> optuna.samplers.BaseSampler:
        if spec.sampler == "random":
            return optuna.samplers.RandomSampler(seed=spec.seed)
        if spec.sampler == "grid":
            return optuna.samplers.GridSampler({p.name: grid_values(p) for p in spec.space}, seed=spec.seed)
        if spec.sampler == "cmaes":
            return optuna.samplers.CmaEsSampler(seed=spec.seed, warn_independent_sampling=False)
        return optuna.samplers.TPESampler(seed=spec.seed)

    def _pruner(self, spec: CampaignSpec, epochs: int) -> optuna.pruners.BasePruner:
        if spec.pruner == "median":
            return optuna.pruners.MedianPruner(n_startup_trials=self.settings.median_startup_trials,
                                               n_warmup_steps=self.settings.median_warmup_epochs)
        if spec.pruner == "hyperband":
            return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=max(epochs, 1),
                                                  reduction_factor=self.settings.hyperband_reduction)
        return optuna.pruners.NopPruner()

    def load(self, study_name: str, spec: CampaignSpec, epochs: int) -> optuna.Study:
        """The campaign's study, created on first use and continued afterwards (load_if_exists)."""
        return optuna.create_study(study_name=study_name, storage=self.storage, load_if_exists=True,
                                   direction="maximize" if spec.maximise else "minimize",
                                   sampler=self._sampler(spec), pruner=self._pruner(spec, epochs))

    def ask(self, study_name: str, spec: CampaignSpec, epochs: int) -> tuple[int, dict[str, Any]]:
        """A new trial: its number and sampled parameters."""
        study = self.load(study_name, spec, epochs)
        trial = study.ask({param.name: distribution(param) for param in spec.space})
        return trial.number, dict(trial.params)

    def report(self, study_name: str, spec: CampaignSpec, epochs: int, number: int, value: float,
               epoch: int) -> Decision:
        """Report one epoch's objective value; whether the pruner stops the trial (it is then told PRUNED)."""
        study = self.load(study_name, spec, epochs)
        trial_id = self.storage.get_trial_id_from_study_id_trial_number(
            self.storage.get_study_id_from_name(study_name), number)
        if self.storage.get_trial(trial_id).state.is_finished():
            return Decision(pruned=False, known=False)
        trial = optuna.trial.Trial(study, trial_id)
        if epoch not in self.storage.get_trial(trial_id).intermediate_values:
            trial.report(value, epoch)
        if not trial.should_prune():
            return Decision(pruned=False, known=True)
        _tell(study, number, state=TrialState.PRUNED)
        return Decision(pruned=True, known=True)

    def tell(self, study_name: str, spec: CampaignSpec, epochs: int, number: int, value: float | None) -> bool:
        """Finish a trial with its value (None: failed); False when it had already finished."""
        study = self.load(study_name, spec, epochs)
        trial_id = self.storage.get_trial_id_from_study_id_trial_number(
            self.storage.get_study_id_from_name(study_name), number)
        if self.storage.get_trial(trial_id).state.is_finished():
            return False
        if value is None:
            _tell(study, number, state=TrialState.FAIL)
        else:
            _tell(study, number, values=value)
        return True

    def trials(self, study_name: str) -> list[optuna.trial.FrozenTrial]:
        """Every trial of the study (empty before its first trial)."""
        try:
            return optuna.load_study(study_name=study_name, storage=self.storage).get_trials(deepcopy=False)
        except KeyError:
            return []

    def study(self, study_name: str) -> optuna.Study | None:
        """The study for figures (None before it exists)."""
        try:
            return optuna.load_study(study_name=study_name, storage=self.storage)
        except KeyError:
            return None


def _tell(study: optuna.Study, number: int, **outcome: Any) -> None:
    """``study.tell``; the grid sampler's "grid exhausted" stop (meant for ``optimize``) is harmless here: the
    outcome is stored before it is raised, and the campaign's budget already bounds the trials."""
    try:
        study.tell(number, **outcome)
    except RuntimeError as exc:
        if "Study.stop" not in str(exc):
            raise
