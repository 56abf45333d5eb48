"""Gateway settings (env prefix PFD_GATEWAY_)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from pfd_shared.sealing import DEV_SEAL_KEY, MIN_KEY_LENGTH
from pfd_shared.settings import HttpSettings, ServiceSettings


class DashboardSettings(BaseModel):
    """The browser dashboard served at "/": live updates, monitoring samplers and buffers."""

    sample_interval_s: float = Field(default=5.0, gt=0, description="HTTP and host metrics sampling period.")
    monitor_retention_s: float = Field(default=3600.0, gt=0, description="How far back the API monitoring series go.")
    time_ranges_min: list[int] = Field(default_factory=lambda: [5, 15, 60], description="API time ranges.")
    log_buffer_size: int = Field(default=2_000, ge=10, description="Log records kept in memory for the System page.")
    log_rows_shown: int = Field(default=200, ge=10, description="Most log records rendered at once.")
    activity_size: int = Field(default=30, ge=1, description="Pushed events kept in the browser's recent activity.")
    ws_backoff_initial_ms: int = Field(default=500, ge=50, description="First WebSocket reconnect delay.")
    ws_backoff_max_ms: int = Field(default=15_000, ge=100, description="Longest WebSocket reconnect delay.")
    ws_offline_after: int = Field(default=5, ge=1, description="Failed reconnects before the header says offline.")
    live_debounce_ms: int = Field(default=300, ge=0, description="Pushed frames are coalesced this long per store.")
    bridge_timeout_s: float = Field(default=15.0, gt=0, description="Longest a dashboard callback waits for a service.")
    check_timeout_s: float = Field(default=3.0, gt=0, description="Timeout of each connectivity check.")
    checks_cache_s: float = Field(default=5.0, ge=0, description="Page loads reuse connectivity checks this recent.")
    status_round_timeout_s: float = Field(default=3.0, gt=0, description="How long the dashboard's status round waits.")
    wsgi_workers: int = Field(default=8, ge=1, description="Threads serving dashboard requests.")
    recent_imports_shown: int = Field(default=10, ge=1, description="Imported data sets listed on the Import page.")


class SignalViewerSettings(BaseModel):
    """The Signal Viewer: ranged reads of data-set objects and the analysis shown for one record."""

    block_bytes: int = Field(default=64 * 1024, ge=512, description="Cached block of a ranged data-set read.")
    cache_blocks: int = Field(default=64, ge=2, description="Blocks cached per open data-set object.")
    chunk_cache_bytes: int = Field(default=4 * 1024 * 1024, ge=0, description="HDF5 chunk cache per open object.")
    open_files: int = Field(default=8, ge=1, description="Data-set objects kept open (least recently used closes).")
    display_buckets: int = Field(default=2_000, ge=10, description="Min/max buckets of a time plot (2 points each).")
    welch_segment: int = Field(default=4_096, ge=16, description="Welch PSD segment length (samples).")
    spectrogram_windows: list[int] = Field(default_factory=lambda: [256, 512, 1024, 2048],
                                           description="STFT window sizes offered (samples).")
    spectrogram_window: int = Field(default=1024, ge=16, description="Default STFT window size (samples).")
    spectrogram_overlap: float = Field(default=0.5, ge=0, lt=1, description="STFT window overlap fraction.")
    spectrogram_max_frames: int = Field(default=400, ge=10, description="Most STFT frames sent to the browser.")
    envelope_band_hz: list[float] = Field(default_factory=lambda: [1_000.0, 8_000.0], min_length=2, max_length=2,
                                          description="Band-pass before the Hilbert envelope (low, high Hz).")
    envelope_max_hz: float = Field(default=1_000.0, gt=0, description="Highest envelope-spectrum frequency shown.")
    envelope_filter_order: int = Field(default=4, ge=1, le=12, description="Butterworth order of that band-pass.")
    harmonic_orders: list[int] = Field(default_factory=lambda: [1, 2, 3], description="Shaft harmonics marked.")
    subsync_orders: list[float] = Field(default_factory=lambda: [0.42, 0.48], min_length=2, max_length=2,
                                        description="Sub-synchronous band (low, high; multiples of the speed).")
    cwt_frequencies: int = Field(default=64, ge=4, le=512, description="Log-spaced rows of the CWT scalogram.")
    cwt_min_hz: float = Field(default=5.0, gt=0, description="Lowest CWT frequency (raised for short signals).")
    cwt_cycles: float = Field(default=6.0, ge=3, le=20, description="Morlet centre frequency (rad): time vs "
                              "frequency resolution.")
    cwt_max_samples: int = Field(default=131_072, ge=256, description="Samples of a signal the CWT analyses.")
    upload_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1, description="Largest single signal file to view.")


class ExplorerSettings(BaseModel):
    """The Data Explorer: the small arrays of data sets kept in memory, analysis sizes, projection tracking."""

    cache_bytes: int = Field(default=256 * 1024 * 1024, ge=1024, description="Memory for cached data-set arrays.")
    cached_datasets: int = Field(default=16, ge=1, description="Data sets whose arrays stay cached.")
    results_cache_bytes: int = Field(default=64 * 1024 * 1024, ge=1024,
                                     description="Memory for cached rankings and projection coordinates.")
    cached_results: int = Field(default=256, ge=1, description="Rankings and projections kept in memory.")
    block_bytes: int = Field(default=256 * 1024, ge=512, description="Ranged-read block size for the arrays.")
    cache_blocks: int = Field(default=16, ge=2, description="Blocks cached while the arrays are read.")
    histogram_bins: int = Field(default=40, ge=2, le=500, description="Bins of the feature histogram.")
    max_points_per_class: int = Field(default=2_000, ge=10, description="Values per class sent to a box/violin.")
    mi_neighbours: int = Field(default=3, ge=1, description="k of the mutual-information estimator.")
    mi_max_records: int = Field(default=20_000, ge=10, description="Records the ranking uses (sampled above).")
    seed: int = Field(default=0, ge=0, description="Seed of the samples and the estimator.")
    page_max_rows: int = Field(default=500, ge=10, description="Most rows of the records table one request returns.")
    page_size: int = Field(default=50, ge=5, description="Rows per page of the records table.")
    projections_tracked: int = Field(default=1_000, ge=10, description="Projection states this instance remembers.")
    projection_request_ttl_s: float = Field(default=300.0, gt=0,
                                            description="A projection unheard of this long may be requested again.")


class ExperimentSettings(BaseModel):
    """The experiment read model: log retention, comparison size, tags, which service trains."""

    log_lines_kept: int = Field(default=2_000, ge=10, description="Log lines stored per run (oldest dropped).")
    log_lines_shown: int = Field(default=500, ge=10, description="Most log lines one request returns.")
    compare_min: int = Field(default=2, ge=2, description="Fewest experiments a comparison takes.")
    compare_max: int = Field(default=5, ge=2, description="Most experiments a comparison takes.")
    max_tags: int = Field(default=20, ge=1, description="Tags per experiment.")
    training_service: str = Field(default="training", description="Service name of the training workers.")


class CampaignSettings(BaseModel):
    """Hyperparameter campaigns (Optuna studies whose trials are experiments)."""

    study_schema: str = Field(default="optuna", pattern=r"^[a-z_][a-z0-9_]*$",
                              description="PostgreSQL schema of Optuna's own tables (kept apart from Alembic's).")
    max_budget: int = Field(default=500, ge=1, description="Most trials one campaign may run.")
    max_parallelism: int = Field(default=16, ge=1, description="Most trials of one campaign running at once.")
    max_grid_points: int = Field(default=10_000, ge=1, description="Largest grid a grid-sampler campaign may span.")
    median_startup_trials: int = Field(default=2, ge=0, description="Median pruner: trials before it prunes.")
    median_warmup_epochs: int = Field(default=1, ge=0, description="Median pruner: epochs before it prunes a trial.")
    hyperband_reduction: int = Field(default=3, ge=2, description="Hyperband pruner's reduction factor.")
    trials_shown: int = Field(default=500, ge=1, description="Most trials one campaign read returns.")
    promote_epochs: int = Field(default=50, ge=1, description="Epochs of the full experiment a best trial is "
                                "promoted to (unless the request says).")


class ExplanationSettings(BaseModel):
    """The XAI page and API: explanations and embeddings requested from the xai service."""

    listed: int = Field(default=50, ge=1, description="Explanations (and embeddings) listed at once, newest first.")
    experiments_offered: int = Field(default=100, ge=1, description="Experiments with trained runs the XAI page "
                                     "offers (newest first).")
    embedding_max_windows: int = Field(default=2_000, ge=10, le=20_000,
                                       description="Windows an embedding projects unless the request says otherwise.")


class DeploySettings(BaseModel):
    """The deployment pages and the model registry's read model."""

    deployments_listed: int = Field(default=50, ge=1, description="Most deployments one list returns.")
    experiments_offered: int = Field(default=100, ge=1, description="Deployable experiments offered on the page.")
    history_shown: int = Field(default=200, ge=1, description="Alias-history lines shown per model.")


class AuthSettings(BaseModel):
    """Accounts, sessions, API keys, 2FA and login throttling (all limits stored in the database)."""

    session_ttl_s: int = Field(default=7 * 24 * 3600, ge=60, description="Session lifetime after login.")
    session_idle_s: int = Field(default=24 * 3600, ge=60, description="A session unused this long ends.")
    last_used_interval_s: int = Field(default=60, ge=1, description="Last-use write interval.")
    session_cache_s: float = Field(default=2.0, ge=0, description="A resolved session is reused this long by a "
                                   "gateway process (0: never); revocations apply at once on the process that made "
                                   "them, within this time on the others. API keys are never cached.")
    session_cache_size: int = Field(default=10_000, ge=1, description="Most sessions cached per gateway process.")
    cookie_secure: Literal["auto", "always"] = Field(default="auto", description="auto: Secure over https.")
    lockout_failures: int = Field(default=5, ge=1, description="Failures that lock an account.")
    lockout_window_s: int = Field(default=15 * 60, ge=1)
    lockout_duration_s: int = Field(default=15 * 60, ge=1)
    ip_failures: int = Field(default=30, ge=1, description="Failures that throttle an address.")
    ip_window_s: int = Field(default=15 * 60, ge=1)
    password_min_length: int = Field(default=10, ge=8)
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=2, ge=1)
    totp_issuer: str = "PFD"
    totp_valid_window: int = Field(default=1, ge=0, description="TOTP steps accepted either side of now.")
    recovery_codes: int = Field(default=10, ge=1, le=50)
    history_limit: int = Field(default=50, ge=1, le=1000, description="Login history entries returned by default.")
    ws_recheck_s: float = Field(default=30.0, gt=0, description="An open /ws re-checks its session or key this often.")
    create_dev_admin: bool = Field(default=True, description="Development: create the first admin.")
    dev_admin_email: str = "admin@pfd.local"


class SecurityHeadersSettings(BaseModel):
    """Headers added to every response."""

    content_security_policy: str = Field(
        default="default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
                "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' {ws_origins}; "
                "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
        description="{ws_origins} becomes ws://<host> wss://<host> of the request")
    referrer_policy: str = "strict-origin-when-cross-origin"
    hsts_max_age_s: int = Field(default=31_536_000, ge=0, description="Strict-Transport-Security on https responses.")



class NotificationSettings(BaseModel):
    """The notification pages and the commands sent to the notifier."""

    seal_key: SecretStr = Field(default=SecretStr(DEV_SEAL_KEY), min_length=MIN_KEY_LENGTH,
                                description="Seals secrets sent to the notifier; same value as PFD_NOTIFIER_SEAL_KEY.")
    history_limit: int = Field(default=200, ge=1, description="Notifications listed on the Notifications page.")
    bell_items: int = Field(default=5, ge=1, description="Latest notifications in the bell's menu.")
    deliveries_shown: int = Field(default=50, ge=1, description="Delivery attempts listed per webhook.")
    emails_shown: int = Field(default=50, ge=1, description="Email attempts listed on the Email page.")
    digests_shown: int = Field(default=50, ge=1, description="Digests listed in the digest history.")


class PredictSettings(BaseModel):
    """The Predict page and API: where the deploy service's inference API is, its timeouts, upload limits."""

    deploy_url: str = Field(default="http://localhost:8080", description="Base URL of the deploy service's HTTP API.")
    connect_timeout_s: float = Field(default=3.0, gt=0, description="Longest wait to connect to the deploy service.")
    request_timeout_s: float = Field(default=30.0, gt=0, description="Longest wait for one prediction's answer.")
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1, description="Largest signal file (or batch CSV).")
    max_connections: int = Field(default=20, ge=1, description="Connections kept to the deploy service.")
    default_alias: str = Field(default="production", description="Alias the Predict page preselects.")
    aliases: list[str] = Field(default_factory=lambda: ["production", "staging"], description="Aliases offered.")
    batches_shown: int = Field(default=50, ge=1, description="Batch predictions listed per user.")


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PFD_GATEWAY_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "gateway"
    http: HttpSettings = HttpSettings(port=8000)
    workers: int | None = Field(default=None, ge=1, description="Worker processes of `pfd-gateway serve` "
                                "(default: the CPU cores this process may use; 1 in the Helm chart, which scales "
                                "replicas instead).")
    status_interval_s: float = Field(default=2.0, gt=0, description="How often a status round is requested.")
    upload_max_bytes: int = Field(default=256 * 1024 * 1024, ge=1, description="Largest recording one upload may be.")
    status_ttl_s: float = Field(default=5.0, gt=0, description="A service silent this long disappears.")
    status_sweep_s: float = Field(default=0.5, gt=0, description="How often silent services are looked for.")
    projection_batch_size: int = Field(default=500, ge=1, description="Most events projected per batch.")
    ws_queue_size: int = Field(default=2_000, ge=10, description="Frames buffered per WebSocket client.")
    dashboard: DashboardSettings = DashboardSettings()
    signals: SignalViewerSettings = SignalViewerSettings()
    explorer: ExplorerSettings = ExplorerSettings()
    experiments: ExperimentSettings = ExperimentSettings()
    deploy: DeploySettings = DeploySettings()
    explanations: ExplanationSettings = ExplanationSettings()
    cors_origins: list[str] = Field(default_factory=list, description="JSON list; default: none (same origin only)")
    auth: AuthSettings = AuthSettings()
    security_headers: SecurityHeadersSettings = SecurityHeadersSettings()
    notifications: NotificationSettings = NotificationSettings()
    campaigns: CampaignSettings = CampaignSettings()
    predict: PredictSettings = PredictSettings()

    def development_secrets_in_use(self) -> list[str]:
        problems = super().development_secrets_in_use()
        if self.notifications.seal_key.get_secret_value() == DEV_SEAL_KEY:
            problems.append("notifications.seal_key is the development default")
        return problems
