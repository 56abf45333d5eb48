"""The embedded local stack (no Docker, no system services): SeaweedFS for S3, Tansu for Kafka, the services.

Used by ``pfd-stack up`` (``make up``) and by the integration-test fixtures.
"""
