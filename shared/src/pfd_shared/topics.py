"""Every Kafka topic of the platform, named in this one module.

One topic per event type keeps subscribers typed and the AsyncAPI documents exact.
The Kafka key of every message is the aggregate id of its event (see ``EventPayload.key``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """A topic and how it is created."""

    name: str
    partitions: int
    description: str
    retention_ms: int | None = None  # None: the broker's default


HOUR_MS = 3_600_000
WEEK_MS = 7 * 24 * HOUR_MS

SYSTEM_STATUS_REQUESTED = TopicSpec(
    "pfd.system.status-requested", 1, "A status round is requested from every running service.", HOUR_MS
)
SYSTEM_STATUS_REPORTED = TopicSpec(
    "pfd.system.status-reported", 1, "A service instance reports its name, version, uptime, lag and DLQ count.", HOUR_MS
)
SYSTEM_SERVICE_STOPPED = TopicSpec(
    "pfd.system.service-stopped", 1, "A service instance is shutting down gracefully.", HOUR_MS
)
DATASET_GENERATION_REQUESTED = TopicSpec(
    "pfd.datasets.generation-requested", 4, "Generate a synthetic data set from a generation config.", WEEK_MS
)
DATASET_IMPORT_REQUESTED = TopicSpec(
    "pfd.datasets.import-requested", 4, "Import uploaded real recordings as a data set.", WEEK_MS
)
DATASET_DELETE_REQUESTED = TopicSpec("pfd.datasets.delete-requested", 4, "Delete a data set and its objects.", WEEK_MS)
DATASET_PROGRESS = TopicSpec("pfd.datasets.progress", 4, "Progress of a data set being built.", HOUR_MS)
DATASET_READY = TopicSpec("pfd.datasets.ready", 4, "A data set is complete and stored.", None)
DATASET_FAILED = TopicSpec("pfd.datasets.failed", 4, "A data set could not be built; nothing half-built remains.", None)
DATASET_DELETED = TopicSpec("pfd.datasets.deleted", 4, "A data set and its objects were deleted.", None)
TRAINING_REQUESTED = TopicSpec(
    "pfd.training.requested", 4, "Train one run (one seed of an experiment); consumed by the training workers' group.",
    WEEK_MS,
)
TRAINING_QUEUED = TopicSpec("pfd.training.queued", 4, "A worker accepted a run.", WEEK_MS)
TRAINING_STARTED = TopicSpec("pfd.training.started", 4, "A worker started or resumed a run.", WEEK_MS)
TRAINING_EPOCH_COMPLETED = TopicSpec("pfd.training.epoch-completed", 4, "A run finished an epoch.", WEEK_MS)
TRAINING_LOG = TopicSpec("pfd.training.log", 4, "Throttled log lines of a run.", HOUR_MS * 24)
TRAINING_COMPLETED = TopicSpec("pfd.training.completed", 4, "A run finished training.", None)
TRAINING_FAILED = TopicSpec("pfd.training.failed", 4, "A run failed, with the reason.", None)
TRAINING_CANCEL_REQUESTED = TopicSpec(
    "pfd.training.cancel-requested", 1, "Stop a run (every worker listens; the one running it stops).", WEEK_MS
)
TRAINING_CANCELLED = TopicSpec("pfd.training.cancelled", 4, "A run stopped on request, checkpoint kept.", None)
TRAINING_RESUME_REQUESTED = TopicSpec(
    "pfd.training.resume-requested", 4, "Resume a cancelled or failed run from its checkpoint.", WEEK_MS
)
TRAINING_EVALUATION_COMPLETED = TopicSpec(
    "pfd.training.evaluation-completed", 4, "Test-split evaluation of a trained run.", None
)
EXPERIMENT_DELETE_REQUESTED = TopicSpec(
    "pfd.training.experiment-delete-requested", 4, "Delete an experiment and its artefacts.", WEEK_MS
)
EXPERIMENT_DELETED = TopicSpec("pfd.training.experiment-deleted", 4, "An experiment and its artefacts are gone.", None)
NOTIFICATION_PREFERENCES_UPDATE_REQUESTED = TopicSpec(
    "pfd.notifications.preferences-update-requested", 4, "Replace a user's notification preferences.", WEEK_MS
)
NOTIFICATION_MARK_READ_REQUESTED = TopicSpec(
    "pfd.notifications.mark-read-requested", 4, "Mark a user's in-app notifications read.", WEEK_MS
)
NOTIFICATION_WEBHOOK_SAVE_REQUESTED = TopicSpec(
    "pfd.notifications.webhook-save-requested", 4, "Create or edit a webhook.", WEEK_MS
)
NOTIFICATION_WEBHOOK_DELETE_REQUESTED = TopicSpec(
    "pfd.notifications.webhook-delete-requested", 4, "Delete a webhook.", WEEK_MS
)
NOTIFICATION_WEBHOOK_TEST_REQUESTED = TopicSpec(
    "pfd.notifications.webhook-test-requested", 4, "Send a test delivery to a webhook.", HOUR_MS
)
NOTIFICATION_SMTP_CONFIG_UPDATE_REQUESTED = TopicSpec(
    "pfd.notifications.smtp-config-update-requested", 1, "Replace the SMTP configuration (admin).", WEEK_MS
)
NOTIFICATION_TEST_EMAIL_REQUESTED = TopicSpec(
    "pfd.notifications.test-email-requested", 1, "Send a test email (admin).", HOUR_MS
)
NOTIFICATION_DIGEST_SEND_REQUESTED = TopicSpec(
    "pfd.notifications.digest-send-requested", 1, "Send digests now (admin).", HOUR_MS
)
NOTIFICATION_CREATED = TopicSpec("pfd.notifications.created", 4, "An in-app notification for a user.", None)
NOTIFICATION_READ = TopicSpec("pfd.notifications.read", 4, "In-app notifications were marked read.", None)
NOTIFICATION_PREFERENCES_UPDATED = TopicSpec(
    "pfd.notifications.preferences-updated", 4, "A user's notification preferences as stored.", None
)
NOTIFICATION_WEBHOOK_SAVED = TopicSpec(
    "pfd.notifications.webhook-saved", 4, "A webhook as stored (never its secret).", None
)
NOTIFICATION_WEBHOOK_DELETED = TopicSpec("pfd.notifications.webhook-deleted", 4, "A webhook is gone.", None)
NOTIFICATION_WEBHOOK_DELIVERED = TopicSpec(
    "pfd.notifications.webhook-delivered", 4, "A webhook endpoint accepted a delivery.", WEEK_MS
)
NOTIFICATION_WEBHOOK_DELIVERY_FAILED = TopicSpec(
    "pfd.notifications.webhook-delivery-failed", 4, "A webhook delivery attempt failed.", WEEK_MS
)
NOTIFICATION_WEBHOOK_DISABLED = TopicSpec(
    "pfd.notifications.webhook-disabled", 4, "A webhook was disabled after consecutive failures.", None
)
NOTIFICATION_SMTP_CONFIG_UPDATED = TopicSpec(
    "pfd.notifications.smtp-config-updated", 1, "The SMTP configuration as stored (no password).", None
)
NOTIFICATION_EMAIL_SENT = TopicSpec(
    "pfd.notifications.email-sent", 4, "An email was accepted by the SMTP server.", WEEK_MS
)
NOTIFICATION_EMAIL_FAILED = TopicSpec("pfd.notifications.email-failed", 4, "Sending an email failed.", WEEK_MS)
NOTIFICATION_DIGEST_ITEM_QUEUED = TopicSpec(
    "pfd.notifications.digest-item-queued", 4, "An event waits in a user's digest.", None
)
NOTIFICATION_DIGEST_SENT = TopicSpec(
    "pfd.notifications.digest-sent", 4, "A digest was composed and handed to email delivery.", None
)
PROJECTION_REQUESTED = TopicSpec(
    "pfd.projections.requested", 4, "Project a data set's standardised features to 2-D (PCA, t-SNE, UMAP).", WEEK_MS
)
PROJECTION_PROGRESS = TopicSpec("pfd.projections.progress", 4, "Progress of a projection being computed.", HOUR_MS)
PROJECTION_READY = TopicSpec("pfd.projections.ready", 4, "A projection is computed and stored.", None)
PROJECTION_FAILED = TopicSpec("pfd.projections.failed", 4, "A projection could not be computed.", None)
PROJECTION_CANCEL_REQUESTED = TopicSpec(
    "pfd.projections.cancel-requested", 1, "Stop a projection (every worker listens; the one running it stops).",
    WEEK_MS,
)
PROJECTION_CANCELLED = TopicSpec("pfd.projections.cancelled", 4, "A projection stopped on request.", None)
EXPLANATION_REQUESTED = TopicSpec(
    "pfd.xai.explanation-requested", 4, "Explain a trained model's decision on one window.", WEEK_MS
)
EXPLANATION_PROGRESS = TopicSpec("pfd.xai.explanation-progress", 4, "Progress of an explanation.", HOUR_MS)
EXPLANATION_READY = TopicSpec("pfd.xai.explanation-ready", 4, "An explanation is computed and stored.", None)
EXPLANATION_FAILED = TopicSpec("pfd.xai.explanation-failed", 4, "An explanation could not be computed.", None)
EXPLANATION_CANCEL_REQUESTED = TopicSpec(
    "pfd.xai.explanation-cancel-requested", 1, "Stop an explanation (every xai instance listens).", WEEK_MS
)
EMBEDDING_REQUESTED = TopicSpec(
    "pfd.xai.embedding-requested", 4, "Project a data set's penultimate-layer embeddings of a trained model to 2-D.",
    WEEK_MS,
)
EMBEDDING_READY = TopicSpec("pfd.xai.embedding-ready", 4, "An embedding projection is computed and stored.", None)
EMBEDDING_FAILED = TopicSpec("pfd.xai.embedding-failed", 4, "An embedding projection could not be computed.", None)
DEPLOYMENT_REQUESTED = TopicSpec(
    "pfd.deploy.deployment-requested", 4, "Export a trained run to ONNX, build its variants and register a version.",
    WEEK_MS,
)
DEPLOYMENT_CANCEL_REQUESTED = TopicSpec(
    "pfd.deploy.deployment-cancel-requested", 1, "Stop a deployment (every deploy instance listens).", WEEK_MS
)
DEPLOYMENT_PROGRESS = TopicSpec("pfd.deploy.deployment-progress", 4, "Progress of a deployment.", HOUR_MS)
MODEL_EXPORTED = TopicSpec("pfd.deploy.model-exported", 4, "A model version is exported, verified and registered.", None)
BENCHMARK_COMPLETED = TopicSpec("pfd.deploy.benchmark-completed", 4, "A model version's variants are measured.", None)
DEPLOYMENT_FAILED = TopicSpec("pfd.deploy.deployment-failed", 4, "A deployment failed (or was cancelled).", None)
MODEL_ALIAS_SET_REQUESTED = TopicSpec(
    "pfd.deploy.alias-set-requested", 4, "Point an alias (production, staging...) of a model at a version.", WEEK_MS
)
MODEL_ALIAS_CHANGED = TopicSpec("pfd.deploy.alias-changed", 4, "An alias of a model moved (or was removed).", None)
MODEL_VERSION_DELETE_REQUESTED = TopicSpec(
    "pfd.deploy.version-delete-requested", 4, "Delete a model version and its artefacts.", WEEK_MS
)
MODEL_VERSION_DELETED = TopicSpec("pfd.deploy.version-deleted", 4, "A model version and its artefacts are gone.", None)
MODEL_VERSION_BROKEN = TopicSpec(
    "pfd.deploy.version-broken", 4, "A model version failed to load and is no longer served.", None
)
BATCH_PREDICTION_REQUESTED = TopicSpec(
    "pfd.deploy.batch-prediction-requested", 4, "Predict every record of a data set or of an uploaded CSV.", WEEK_MS
)
BATCH_PREDICTION_PROGRESS = TopicSpec("pfd.deploy.batch-prediction-progress", 4, "Progress of a batch prediction.",
                                      HOUR_MS)
BATCH_PREDICTION_COMPLETED = TopicSpec(
    "pfd.deploy.batch-prediction-completed", 4, "A batch prediction's results file is stored.", None
)
BATCH_PREDICTION_FAILED = TopicSpec("pfd.deploy.batch-prediction-failed", 4, "A batch prediction failed.", None)
SIGNAL_WINDOW_RECEIVED = TopicSpec(
    "pfd.monitoring.signal-window-received", 8, "A window of vibration samples of a monitored machine (external "
    "producers).", HOUR_MS * 24,
)
FAULT_PREDICTION = TopicSpec("pfd.monitoring.fault-prediction", 8, "A monitored window scored by a model.", WEEK_MS)
FAULT_DETECTED = TopicSpec("pfd.monitoring.fault-detected", 4, "A machine's alert rule fired.", None)
FAULT_CLEARED = TopicSpec("pfd.monitoring.fault-cleared", 4, "A machine's alert cleared (hysteresis).", None)
WINDOW_NOT_SCORED = TopicSpec(
    "pfd.monitoring.window-not-scored", 4, "A monitored window could not be scored (unassigned machine...).", WEEK_MS
)
MACHINE_ASSIGNMENT_REQUESTED = TopicSpec(
    "pfd.monitoring.machine-assignment-requested", 4, "Score a machine with a model under an alias.", WEEK_MS
)
MACHINE_ASSIGNED = TopicSpec("pfd.monitoring.machine-assigned", 4, "A machine's model and alias as stored.", None)
CAMPAIGN_REQUESTED = TopicSpec(
    "pfd.campaigns.requested", 4, "Start a hyperparameter campaign or resume its study (the gateway's runner).",
    WEEK_MS,
)
CAMPAIGN_TRIAL_STARTED = TopicSpec("pfd.campaigns.trial-started", 4, "A campaign trial's experiment was requested.",
                                   None)
CAMPAIGN_TRIAL_COMPLETED = TopicSpec("pfd.campaigns.trial-completed", 4, "A campaign trial completed or failed.",
                                     None)
CAMPAIGN_TRIAL_PRUNED = TopicSpec("pfd.campaigns.trial-pruned", 4, "A campaign trial was pruned (cancelled).", None)
CAMPAIGN_COMPLETED = TopicSpec("pfd.campaigns.completed", 4, "A campaign spent its trial budget.", None)
CAMPAIGN_STOPPED = TopicSpec("pfd.campaigns.stopped", 4, "A campaign was stopped; its running trials cancelled.",
                             None)
DEAD_LETTER = TopicSpec(
    "pfd.dead-letter", 1, "Messages no consumer could process, with the reason in headers.", 4 * WEEK_MS
)

ALL_TOPICS: tuple[TopicSpec, ...] = (
    SYSTEM_STATUS_REQUESTED,
    SYSTEM_STATUS_REPORTED,
    SYSTEM_SERVICE_STOPPED,
    DATASET_GENERATION_REQUESTED,
    DATASET_IMPORT_REQUESTED,
    DATASET_DELETE_REQUESTED,
    DATASET_PROGRESS,
    DATASET_READY,
    DATASET_FAILED,
    DATASET_DELETED,
    TRAINING_REQUESTED,
    TRAINING_QUEUED,
    TRAINING_STARTED,
    TRAINING_EPOCH_COMPLETED,
    TRAINING_LOG,
    TRAINING_COMPLETED,
    TRAINING_FAILED,
    TRAINING_CANCEL_REQUESTED,
    TRAINING_CANCELLED,
    TRAINING_RESUME_REQUESTED,
    TRAINING_EVALUATION_COMPLETED,
    EXPERIMENT_DELETE_REQUESTED,
    EXPERIMENT_DELETED,
    NOTIFICATION_PREFERENCES_UPDATE_REQUESTED,
    NOTIFICATION_MARK_READ_REQUESTED,
    NOTIFICATION_WEBHOOK_SAVE_REQUESTED,
    NOTIFICATION_WEBHOOK_DELETE_REQUESTED,
    NOTIFICATION_WEBHOOK_TEST_REQUESTED,
    NOTIFICATION_SMTP_CONFIG_UPDATE_REQUESTED,
    NOTIFICATION_TEST_EMAIL_REQUESTED,
    NOTIFICATION_DIGEST_SEND_REQUESTED,
    NOTIFICATION_CREATED,
    NOTIFICATION_READ,
    NOTIFICATION_PREFERENCES_UPDATED,
    NOTIFICATION_WEBHOOK_SAVED,
    NOTIFICATION_WEBHOOK_DELETED,
    NOTIFICATION_WEBHOOK_DELIVERED,
    NOTIFICATION_WEBHOOK_DELIVERY_FAILED,
    NOTIFICATION_WEBHOOK_DISABLED,
    NOTIFICATION_SMTP_CONFIG_UPDATED,
    NOTIFICATION_EMAIL_SENT,
    NOTIFICATION_EMAIL_FAILED,
    NOTIFICATION_DIGEST_ITEM_QUEUED,
    NOTIFICATION_DIGEST_SENT,
    PROJECTION_REQUESTED,
    PROJECTION_PROGRESS,
    PROJECTION_READY,
    PROJECTION_FAILED,
    PROJECTION_CANCEL_REQUESTED,
    PROJECTION_CANCELLED,
    EXPLANATION_REQUESTED,
    EXPLANATION_PROGRESS,
    EXPLANATION_READY,
    EXPLANATION_FAILED,
    EXPLANATION_CANCEL_REQUESTED,
    EMBEDDING_REQUESTED,
    EMBEDDING_READY,
    EMBEDDING_FAILED,
    DEPLOYMENT_REQUESTED,
    DEPLOYMENT_CANCEL_REQUESTED,
    DEPLOYMENT_PROGRESS,
    MODEL_EXPORTED,
    BENCHMARK_COMPLETED,
    DEPLOYMENT_FAILED,
    MODEL_ALIAS_SET_REQUESTED,
    MODEL_ALIAS_CHANGED,
    MODEL_VERSION_DELETE_REQUESTED,
    MODEL_VERSION_DELETED,
    MODEL_VERSION_BROKEN,
    BATCH_PREDICTION_REQUESTED,
    BATCH_PREDICTION_PROGRESS,
    BATCH_PREDICTION_COMPLETED,
    BATCH_PREDICTION_FAILED,
    SIGNAL_WINDOW_RECEIVED,
    FAULT_PREDICTION,
    FAULT_DETECTED,
    FAULT_CLEARED,
    WINDOW_NOT_SCORED,
    MACHINE_ASSIGNMENT_REQUESTED,
    MACHINE_ASSIGNED,
    CAMPAIGN_REQUESTED,
    CAMPAIGN_TRIAL_STARTED,
    CAMPAIGN_TRIAL_COMPLETED,
    CAMPAIGN_TRIAL_PRUNED,
    CAMPAIGN_COMPLETED,
    CAMPAIGN_STOPPED,
    DEAD_LETTER,
)


def topic_names() -> list[str]:
    """Names of every topic, in declaration order."""
    return [spec.name for spec in ALL_TOPICS]
